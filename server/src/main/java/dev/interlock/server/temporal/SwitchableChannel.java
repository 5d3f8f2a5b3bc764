package dev.interlock.server.temporal;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import java.util.concurrent.TimeUnit;

/**
 * A channel whose calls go to whichever channel is current, so the embedded Temporal
 * service can be replaced under a running client and worker: calls started before a switch
 * finish (or fail) on the old channel, later ones reach the new one. Closing it closes the
 * current channel.
 */
final class SwitchableChannel extends ManagedChannel {

  private volatile ManagedChannel current;

  SwitchableChannel(ManagedChannel initial) {
    this.current = initial;
  }

  /** Makes {@code next} current and returns the previous channel, for the caller to close. */
  ManagedChannel switchTo(ManagedChannel next) {
    ManagedChannel previous = current;
    current = next;
    return previous;
  }

  @Override
  public <Q, R> ClientCall<Q, R> newCall(MethodDescriptor<Q, R> method, CallOptions options) {
    return current.newCall(method, options);
  }

  @Override
  public String authority() {
    return current.authority();
  }

  @Override
  public ManagedChannel shutdown() {
    current.shutdown();
    return this;
  }

  @Override
  public boolean isShutdown() {
    return current.isShutdown();
  }

  @Override
  public boolean isTerminated() {
    return current.isTerminated();
  }

  @Override
  public ManagedChannel shutdownNow() {
    current.shutdownNow();
    return this;
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    return current.awaitTermination(timeout, unit);
  }

  @Override
  public ConnectivityState getState(boolean requestConnection) {
    return current.getState(requestConnection);
  }

  @Override
  public void notifyWhenStateChanged(ConnectivityState source, Runnable callback) {
    current.notifyWhenStateChanged(source, callback);
  }

  @Override
  public void resetConnectBackoff() {
    current.resetConnectBackoff();
  }

  @Override
  public void enterIdle() {
    current.enterIdle();
  }
}
