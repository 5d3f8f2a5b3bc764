package dev.interlock.server.mcp;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import io.dropwizard.core.cli.Command;
import io.dropwizard.core.setup.Bootstrap;
import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.PrintStream;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.inf.Subparser;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar interlock.jar mcp-stdio}: MCP on stdin/stdout for desktop clients
 * (Claude Desktop, Claude Code), forwarded to a running server named by
 * {@code INTERLOCK_URL} (default http://localhost:8080) with the key in
 * {@code INTERLOCK_API_KEY}. Stdout carries the protocol only: logs, and anything else
 * that would print, go to stderr.
 */
public final class McpStdioCommand extends Command {

  public McpStdioCommand() {
    super("mcp-stdio", "Serve MCP on stdin/stdout, forwarding to the Interlock server at"
        + " $INTERLOCK_URL with the key in $INTERLOCK_API_KEY");
  }

  @Override
  public void configure(Subparser subparser) {}

  @Override
  public void run(Bootstrap<?> bootstrap, Namespace namespace) throws Exception {
    PrintStream protocol = new PrintStream(new FileOutputStream(FileDescriptor.out), true);
    System.setOut(System.err);
    logToStderr();
    String url = env("INTERLOCK_URL", "http://localhost:8080");
    String key = env("INTERLOCK_API_KEY", "");
    if (key.isBlank()) {
      throw new IllegalArgumentException("Set INTERLOCK_API_KEY to an Interlock API key");
    }
    new McpStdioBridge(url, key).run(System.in, protocol);
  }

  private static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : v.trim();
  }

  /** Replaces Dropwizard's bootstrap console logging with one that writes to stderr. */
  static void logToStderr() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.detachAndStopAllAppenders();
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern("%d{HH:mm:ss.SSS} %-5level %logger{20}: %msg%n");
    encoder.start();
    ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
    stderr.setContext(context);
    stderr.setTarget("System.err");
    stderr.setEncoder(encoder);
    stderr.start();
    root.addAppender(stderr);
    root.setLevel(Level.WARN);
    context.getLogger("dev.interlock").setLevel(Level.INFO);
  }
}
