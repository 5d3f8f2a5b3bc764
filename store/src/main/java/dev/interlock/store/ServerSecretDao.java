package dev.interlock.store;

import org.jdbi.v3.sqlobject.customizer.Definition;

/** Secrets the server generates for itself and keeps across restarts, by name. */
@Definition(key = "table", value = "server_secrets")
@Definition(key = "keyColumn", value = "name")
@Definition(key = "secretColumn", value = "value")
public interface ServerSecretDao extends KeyedSecretDao {}
