package dev.interlock.store;

import java.util.Optional;
import org.jdbi.v3.sqlobject.customizer.Definition;

/** Each owner's secret that signs its outbound callbacks. */
@Definition(key = "table", value = "owner_secrets")
@Definition(key = "keyColumn", value = "owner_id")
@Definition(key = "secretColumn", value = "callback_secret")
public interface OwnerSecretDao extends KeyedSecretDao {

  default Optional<String> callbackSecret(String ownerId) {
    return find(ownerId);
  }
}
