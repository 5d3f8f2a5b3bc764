package dev.interlock.server.service;

import io.dropwizard.lifecycle.Managed;

/**
 * A managed object whose work is one loop on its own daemon thread: started with the
 * server, told to stop (flag and interrupt) and joined for up to five seconds when it stops.
 */
abstract class DaemonLoop implements Managed {

  private final String threadName;
  private volatile boolean running;
  private Thread thread;

  DaemonLoop(String threadName) {
    this.threadName = threadName;
  }

  /** Runs until {@link #running()} turns false or the thread is interrupted. */
  protected abstract void loop();

  /** After the thread has stopped (or five seconds have passed). */
  protected void afterStop() {}

  protected final boolean running() {
    return running;
  }

  @Override
  public void start() {
    running = true;
    thread = new Thread(this::loop, threadName);
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public void stop() throws InterruptedException {
    running = false;
    if (thread != null) {
      thread.interrupt();
      thread.join(5_000);
    }
    afterStop();
  }
}
