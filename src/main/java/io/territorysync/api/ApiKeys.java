package io.territorysync.api;

import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The configured API keys and the role each one grants; shared by the admin API and the console's
 * sign-in. Keys are kept as SHA-256 digests and compared in constant time.
 */
@ApplicationScoped
public class ApiKeys {

  /** What a key may do: viewers read; admins also change things. */
  public enum Role {
    VIEWER,
    ADMIN;

    /** The role's name as the API, the console and the settings spell it. */
    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** Keys with the admin role: read everything, start runs, reload rules, retry events. */
  @ConfigProperty(name = "territory.api.admin-keys")
  Optional<List<String>> adminKeys;

  /** Keys with the viewer role: read only. */
  @ConfigProperty(name = "territory.api.viewer-keys")
  Optional<List<String>> viewerKeys;

  private volatile List<byte[]> admin;
  private volatile List<byte[]> viewer;

  /** Whether any key is configured at all. */
  public boolean anyConfigured() {
    load();
    return !admin.isEmpty() || !viewer.isEmpty();
  }

  /** The role {@code key} grants, or empty for an unknown key. */
  public Optional<Role> roleOf(String key) {
    if (key == null || key.isBlank()) {
      return Optional.empty();
    }
    load();
    byte[] given = digest(key.trim());
    if (matches(admin, given)) {
      return Optional.of(Role.ADMIN);
    }
    return matches(viewer, given) ? Optional.of(Role.VIEWER) : Optional.empty();
  }

  private void load() {
    if (admin == null) {
      viewer = digests(viewerKeys.orElse(List.of()));
      admin = digests(adminKeys.orElse(List.of()));
    }
  }

  private static boolean matches(List<byte[]> keys, byte[] given) {
    boolean found = false;
    for (byte[] k : keys) {
      found |= MessageDigest.isEqual(k, given);
    }
    return found;
  }

  private static List<byte[]> digests(List<String> keys) {
    List<byte[]> out = new ArrayList<>();
    for (String k : keys) {
      if (!k.isBlank()) {
        out.add(digest(k.trim()));
      }
    }
    return out;
  }

  /** SHA-256 of a secret (API key or session token), so the secret itself need not be kept. */
  public static byte[] digest(String secret) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
