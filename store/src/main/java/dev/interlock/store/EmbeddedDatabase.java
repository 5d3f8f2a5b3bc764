package dev.interlock.store;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL server from Maven-packaged binaries, with its data kept on disk.
 *
 * <p>zonky's defaults are tuned for throwaway test databases (fsync off, asynchronous
 * commit); this class turns durability back on, because here the data directory is the
 * store of record. PostgreSQL runs as a child process that outlives a {@code kill -9} of the
 * JVM; a later start finds that orphan through {@code postmaster.pid} and shuts it down
 * cleanly before starting a fresh server on the same data.
 */
public final class EmbeddedDatabase implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabase.class);

  private final EmbeddedPostgres postgres;
  private final Path dataDirectory;

  private EmbeddedDatabase(EmbeddedPostgres postgres, Path dataDirectory) {
    this.postgres = postgres;
    this.dataDirectory = dataDirectory;
  }

  public static EmbeddedDatabase start(Path dataDirectory) {
    try {
      Path dir = dataDirectory.toAbsolutePath();
      Files.createDirectories(dir);
      stopOrphan(dir);
      long started = System.nanoTime();
      EmbeddedPostgres pg =
          EmbeddedPostgres.builder()
              .setDataDirectory(dir)
              .setCleanDataDirectory(false)
              .setPort(freeLoopbackPort())
              .setServerConfig("fsync", "on")
              .setServerConfig("synchronous_commit", "on")
              .setServerConfig("full_page_writes", "on")
              .setServerConfig("listen_addresses", "localhost")
              .setServerConfig("max_connections", "200")
              .setPGStartupWait(Duration.ofSeconds(60))
              // The owner closes it (the server as its last managed object). zonky's own
              // JVM shutdown hook would stop PostgreSQL on SIGTERM while the server is
              // still stopping, so its final writes would fail.
              .setRegisterShutdownHook(false)
              .start();
      log.info(
          "embedded PostgreSQL started on localhost:{} with data in {} ({} ms)",
          pg.getPort(), dir, (System.nanoTime() - started) / 1_000_000);
      return new EmbeddedDatabase(pg, dir);
    } catch (IOException e) {
      throw new UncheckedIOException("could not start embedded PostgreSQL in " + dataDirectory, e);
    }
  }

  public DataSource dataSource() {
    return postgres.getPostgresDatabase();
  }

  public String jdbcUrl() {
    return postgres.getJdbcUrl("postgres", "postgres");
  }

  public int port() {
    return postgres.getPort();
  }

  public Path dataDirectory() {
    return dataDirectory;
  }

  @Override
  public void close() {
    try {
      postgres.close();
    } catch (IOException e) {
      log.warn("embedded PostgreSQL did not stop cleanly", e);
    }
  }

  /**
   * If a postmaster from an earlier, killed run still holds the data directory, ask it to
   * shut down (SIGTERM: "smart" shutdown, which completes at once because the clients that
   * belonged to the dead JVM are gone) and wait for it.
   */
  static void stopOrphan(Path dataDirectory) throws IOException {
    Path pidFile = dataDirectory.resolve("postmaster.pid");
    if (!Files.exists(pidFile)) {
      return;
    }
    List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
    if (lines.isEmpty()) {
      return;
    }
    long pid;
    try {
      pid = Long.parseLong(lines.get(0).trim());
    } catch (NumberFormatException e) {
      return;
    }
    Optional<ProcessHandle> handle = ProcessHandle.of(pid);
    if (handle.isEmpty() || !handle.get().isAlive() || !isPostgres(handle.get())) {
      return; // stale pid file: PostgreSQL removes it itself on start
    }
    log.warn("a PostgreSQL server (pid {}) from an earlier run still holds {}; stopping it",
        pid, dataDirectory);
    handle.get().destroy();
    try {
      handle.get().onExit().get(60, java.util.concurrent.TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IOException("could not stop the orphaned PostgreSQL server (pid " + pid + ")", e);
    }
  }

  private static boolean isPostgres(ProcessHandle handle) {
    return handle.info().command().map(c -> c.contains("postgres")).orElse(true);
  }

  private static int freeLoopbackPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
