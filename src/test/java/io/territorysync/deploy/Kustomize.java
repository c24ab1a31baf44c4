package io.territorysync.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * Renders a kustomization as {@code kubectl kustomize} does, for the subset the project's manifests
 * use (resources, strategic-merge patches, images, namespace), so the manifests are checked on a
 * machine without kubectl. Anything else in a kustomization.yaml fails the render: the test then
 * says to extend this or to keep the manifests simple. Where kubectl exists, {@link
 * DeployManifestsTest} checks both renderings agree.
 */
final class Kustomize {

  private static final Set<String> SUPPORTED =
      Set.of("apiVersion", "kind", "resources", "patches", "images", "namespace");

  private Kustomize() {}

  /** Every document of a YAML file, as maps. */
  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> load(Path file) {
    try {
      List<Map<String, Object>> docs = new ArrayList<>();
      for (Object doc :
          new Load(LoadSettings.builder().setLabel(file.toString()).build())
              .loadAllFromString(Files.readString(file))) {
        if (doc != null) {
          docs.add((Map<String, Object>) doc);
        }
      }
      return docs;
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + file, e);
    }
  }

  /** The resources a kustomization directory renders to. */
  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> render(Path dir) {
    Map<String, Object> k = load(dir.resolve("kustomization.yaml")).get(0);
    for (String key : k.keySet()) {
      if (!SUPPORTED.contains(key)) {
        throw new IllegalStateException(
            dir + "/kustomization.yaml uses '" + key + "', which Kustomize (test) does not render");
      }
    }
    List<Map<String, Object>> out = new ArrayList<>();
    for (Object r : (List<Object>) k.getOrDefault("resources", List.of())) {
      Path p = dir.resolve(r.toString()).normalize();
      out.addAll(Files.isDirectory(p) ? render(p) : load(p));
    }
    for (Object patch : (List<Object>) k.getOrDefault("patches", List.of())) {
      Map<String, Object> spec = (Map<String, Object>) patch;
      if (spec.keySet().size() != 1 || !spec.containsKey("path")) {
        throw new IllegalStateException(dir + ": only 'patches: - path: FILE' is rendered");
      }
      for (Map<String, Object> p : load(dir.resolve(spec.get("path").toString()))) {
        Map<String, Object> target =
            out.stream()
                .filter(d -> sameObject(d, p))
                .findFirst()
                .orElseThrow(
                    () -> new IllegalStateException(dir + ": patch without a target: " + id(p)));
        merge(target, p);
      }
    }
    for (Object image : (List<Object>) k.getOrDefault("images", List.of())) {
      Map<String, Object> spec = (Map<String, Object>) image;
      for (Map<String, Object> container : containers(out)) {
        String current = container.get("image").toString();
        String name =
            current.contains(":") ? current.substring(0, current.lastIndexOf(':')) : current;
        if (name.equals(spec.get("name"))) {
          String tag =
              current.contains(":") ? current.substring(current.lastIndexOf(':') + 1) : null;
          Object newTag = spec.getOrDefault("newTag", tag);
          container.put(
              "image", spec.getOrDefault("newName", name) + (newTag == null ? "" : ":" + newTag));
        }
      }
    }
    if (k.get("namespace") != null) {
      out.forEach(d -> metadata(d).put("namespace", k.get("namespace")));
    }
    return out;
  }

  /** Every container of every workload in {@code docs}. */
  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> containers(List<Map<String, Object>> docs) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Map<String, Object> d : docs) {
      Object pod = path(d, "spec", "template", "spec");
      if (pod instanceof Map<?, ?> podSpec) {
        out.addAll((List<Map<String, Object>>) podSpec.get("containers"));
      }
    }
    return out;
  }

  /** The value at a path of map keys, or null. */
  static Object path(Object node, String... keys) {
    for (String key : keys) {
      if (!(node instanceof Map<?, ?> m)) {
        return null;
      }
      node = m.get(key);
    }
    return node;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> metadata(Map<String, Object> doc) {
    return (Map<String, Object>) doc.get("metadata");
  }

  static String id(Map<String, Object> doc) {
    return doc.get("kind") + "/" + metadata(doc).get("name");
  }

  private static boolean sameObject(Map<String, Object> a, Map<String, Object> b) {
    return Objects.equals(a.get("kind"), b.get("kind"))
        && Objects.equals(metadata(a).get("name"), metadata(b).get("name"));
  }

  /**
   * A strategic merge patch as Kubernetes applies it to these kinds: maps merge key by key, lists
   * of named maps (containers, env, volumes, ports) merge by name, other lists are replaced.
   */
  @SuppressWarnings("unchecked")
  static void merge(Map<String, Object> target, Map<String, Object> patch) {
    for (Map.Entry<String, Object> e : patch.entrySet()) {
      Object current = target.get(e.getKey());
      Object value = e.getValue();
      if (current instanceof Map<?, ?> cm && value instanceof Map<?, ?> vm) {
        merge((Map<String, Object>) cm, (Map<String, Object>) vm);
      } else if (current instanceof List<?> cl && value instanceof List<?> vl && named(vl)) {
        List<Object> merged = new ArrayList<>(cl);
        for (Object item : vl) {
          Object name = ((Map<?, ?>) item).get("name");
          Map<String, Object> existing =
              (Map<String, Object>)
                  merged.stream()
                      .filter(i -> i instanceof Map<?, ?> m && name.equals(m.get("name")))
                      .findFirst()
                      .orElse(null);
          if (existing == null) {
            merged.add(item);
          } else {
            merge(existing, (Map<String, Object>) item);
          }
        }
        target.put(e.getKey(), merged);
      } else {
        target.put(e.getKey(), value instanceof Map<?, ?> vm ? new LinkedHashMap<>(vm) : value);
      }
    }
  }

  private static boolean named(List<?> list) {
    return !list.isEmpty()
        && list.stream().allMatch(i -> i instanceof Map<?, ?> m && m.get("name") != null);
  }
}
