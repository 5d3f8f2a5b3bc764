package dev.interlock.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * CPU time (user + system) of the processes a run involves, from {@code /proc/<pid>/stat}
 * (Linux), so a scenario can say what its work cost each of them, not only how long it took.
 *
 * <p>An account is a process found by its pid at each snapshot. A tree account counts the
 * process, its live descendants, and the children each of them has already waited for
 * ({@code cutime + cstime}: for a postmaster, the backends that exited), except any
 * descendant that is the root of another account (the Interlock JVM starts PostgreSQL and a
 * dev server as its children; those are their own accounts). A single-process account
 * counts the process alone. Counts are in clock ticks ({@code getconf CLK_TCK}, normally
 * 100 per second: 10 ms resolution), reported in milliseconds.
 */
final class ProcCpu {

  static final long CLOCK_TICKS = clockTicks();

  /**
   * @param pid the process now; 0 or less when there is none to measure
   * @param tree whether descendants (and reaped children) count
   */
  private record Account(String name, LongSupplier pid, boolean tree) {}

  /** The pid seen and the CPU milliseconds at one moment; ms is -1 when it was not found. */
  record Reading(long pid, long ms) {}

  /** All accounts at one moment. */
  record Snapshot(long nanos, Map<String, Reading> readings) {}

  private final List<Account> accounts = new ArrayList<>();
  /**
   * Every name in the order results list them: an {@link Account}, or a String saying why
   * that process is not measured (e.g. Temporal embedded in the server's JVM).
   */
  private final Map<String, Object> entries = new LinkedHashMap<>();

  /** Accounts a process and its descendants, found by its pid at each snapshot. */
  ProcCpu tree(String name, LongSupplier pid) {
    return add(new Account(name, pid, true));
  }

  /** Accounts one process alone (its threads, not its children). */
  ProcCpu single(String name, LongSupplier pid) {
    return add(new Account(name, pid, false));
  }

  /** Says in every result that this process is not measured, and why. */
  ProcCpu note(String name, String why) {
    entries.put(name, why);
    return this;
  }

  private ProcCpu add(Account account) {
    accounts.add(account);
    entries.put(account.name(), account);
    return this;
  }

  Snapshot snapshot() {
    Map<Long, long[]> procs = readAll();
    Map<Long, List<Long>> children = new HashMap<>();
    for (var e : procs.entrySet()) {
      children.computeIfAbsent(e.getValue()[0], k -> new ArrayList<>()).add(e.getKey());
    }
    Map<String, Long> pids = new LinkedHashMap<>();
    Set<Long> roots = new HashSet<>();
    for (Account a : accounts) {
      long pid = a.pid().getAsLong();
      pids.put(a.name(), pid);
      if (pid > 0) {
        roots.add(pid);
      }
    }
    Map<String, Reading> readings = new LinkedHashMap<>();
    for (Account a : accounts) {
      long pid = pids.get(a.name());
      long[] root = pid > 0 ? procs.get(pid) : null;
      if (root == null) {
        readings.put(a.name(), new Reading(pid, -1));
        continue;
      }
      long ticks = root[1];
      if (a.tree()) {
        ticks += root[2];
        ArrayDeque<Long> todo = new ArrayDeque<>(children.getOrDefault(pid, List.of()));
        while (!todo.isEmpty()) {
          long p = todo.pop();
          if (roots.contains(p)) {
            continue; // another account's process, with its own descendants
          }
          long[] proc = procs.get(p);
          ticks += proc[1] + proc[2];
          todo.addAll(children.getOrDefault(p, List.of()));
        }
      }
      readings.put(a.name(), new Reading(pid, ticks * 1000 / CLOCK_TICKS));
    }
    return new Snapshot(System.nanoTime(), readings);
  }

  /**
   * What each account spent between two snapshots, in total and per unit of work: a map of
   * window_seconds, unit, units, then per process {total, per_UNIT, pid} (or why it is not
   * measured), then "all" (the sum of those measured).
   *
   * <p>A process whose pid changed in between (a server restarted in the window) is counted
   * from its start: its whole CPU time at the second snapshot.
   */
  /** CPU ms of everything but the harness itself (server, its PostgreSQL, Temporal's). */
  static long serverSideMs(Snapshot snapshot) {
    long sum = 0;
    for (var reading : snapshot.readings().entrySet()) {
      if (!reading.getKey().equals("harness_jvm") && reading.getValue().ms() > 0) {
        sum += reading.getValue().ms();
      }
    }
    return sum;
  }

  Map<String, Object> between(Snapshot before, Snapshot after, String unit, long units) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("window_seconds", Stats.round((after.nanos() - before.nanos()) / 1e9));
    m.put("unit", unit);
    m.put("units", units);
    long sum = 0;
    boolean any = false;
    for (var entry : entries.entrySet()) {
      if (!(entry.getValue() instanceof Account a)) {
        m.put(entry.getKey(), entry.getValue());
        continue;
      }
      Reading b = before.readings().get(a.name());
      Reading e = after.readings().get(a.name());
      if (e.ms() < 0) {
        m.put(a.name(), e.pid() > 0 ? "process " + e.pid() + " not found" : "not measured");
        continue;
      }
      long ms = b.pid() == e.pid() && b.ms() >= 0 ? e.ms() - b.ms() : e.ms();
      Map<String, Object> p = new LinkedHashMap<>();
      p.put("total", ms);
      p.put("per_" + unit, perUnit(ms, units));
      p.put("pid", e.pid());
      if (b.pid() != e.pid()) {
        p.put("started_in_window", true);
      }
      m.put(a.name(), p);
      sum += ms;
      any = true;
    }
    if (any) {
      Map<String, Object> all = new LinkedHashMap<>();
      all.put("total", sum);
      all.put("per_" + unit, perUnit(sum, units));
      m.put("all", all);
    }
    return m;
  }

  /**
   * The pid on the first line of a pid file (temporal.pid, PostgreSQL's postmaster.pid) if
   * that process runs now; else -1. Read at every snapshot: a restarted process has a new one.
   */
  static long pidFromFile(Path file) {
    if (file == null) {
      return -1;
    }
    try {
      long pid = Long.parseLong(Files.readAllLines(file).get(0).trim());
      return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) ? pid : -1;
    } catch (Exception e) {
      return -1;
    }
  }

  static Double perUnit(long ms, long units) {
    return units > 0 ? Stats.round((double) ms / units) : null;
  }

  /** pid → {ppid, utime + stime, cutime + cstime} of every process now. */
  private static Map<Long, long[]> readAll() {
    Map<Long, long[]> procs = new HashMap<>();
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path dir : dirs) {
        long[] stat = read(dir.resolve("stat"));
        if (stat != null) {
          procs.put(Long.parseLong(dir.getFileName().toString()), stat);
        }
      }
    } catch (IOException e) {
      // no /proc: every account reads as not found
    }
    return procs;
  }

  /** {ppid, utime + stime, cutime + cstime} from a stat file; null if the process is gone. */
  static long[] read(Path statFile) {
    String stat;
    try {
      stat = Files.readString(statFile);
    } catch (IOException e) {
      return null;
    }
    return parse(stat);
  }

  /**
   * Fields of proc(5) after the command name, which is in parentheses and may itself hold
   * spaces and parentheses: state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt
   * cmajflt utime stime cutime cstime ...
   */
  static long[] parse(String stat) {
    int close = stat.lastIndexOf(')');
    if (close < 0) {
      return null;
    }
    String[] f = stat.substring(close + 2).trim().split("\\s+");
    if (f.length < 15) {
      return null;
    }
    return new long[] {
        Long.parseLong(f[1]),
        Long.parseLong(f[11]) + Long.parseLong(f[12]),
        Long.parseLong(f[13]) + Long.parseLong(f[14])};
  }

  private static long clockTicks() {
    try {
      Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes()).trim();
      p.waitFor();
      long ticks = Long.parseLong(out);
      return ticks > 0 ? ticks : 100;
    } catch (Exception e) {
      return 100; // USER_HZ on every Linux architecture Java runs on
    }
  }
}
