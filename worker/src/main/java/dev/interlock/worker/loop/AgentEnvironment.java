package dev.interlock.worker.loop;

import java.util.Locale;
import java.util.Set;

/**
 * Which of the worker's environment variables an agent inherits: an allow-list, so that
 * Interlock's own secrets (INTERLOCK_ADMIN_KEY, DATABASE_PASSWORD, ...) never reach a
 * process that runs commands a model chose.
 */
public final class AgentEnvironment {

  private static final Set<String> NAMES = Set.of("PATH", "HOME", "USER", "LOGNAME", "SHELL",
      "LANG", "LANGUAGE", "TERM", "TZ", "TMPDIR", "TEMP", "TMP", "PWD", "XDG_CONFIG_HOME",
      "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_RUNTIME_DIR", "HTTP_PROXY", "HTTPS_PROXY",
      "NO_PROXY", "http_proxy", "https_proxy", "no_proxy", "SSL_CERT_FILE", "SSL_CERT_DIR",
      "NODE_EXTRA_CA_CERTS", "PYENV_ROOT", "PYENV_VERSION", "VIRTUAL_ENV", "JAVA_HOME");

  /** Prefixes of the agent's own settings: Claude Code, its model provider, locales. */
  private static final String[] PREFIXES = {"LC_", "ANTHROPIC_", "CLAUDE_", "AWS_",
      "GOOGLE_", "VERTEX_", "MCP_", "DISABLE_", "AGENT_"};

  private AgentEnvironment() {}

  public static boolean passes(String name) {
    if (NAMES.contains(name)) {
      return true;
    }
    String upper = name.toUpperCase(Locale.ROOT);
    if (upper.startsWith("INTERLOCK_")) {
      return false;
    }
    for (String prefix : PREFIXES) {
      if (upper.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }
}
