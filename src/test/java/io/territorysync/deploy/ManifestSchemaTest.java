package io.territorysync.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * Every Kubernetes manifest read into the Kubernetes API's own types (the fabric8 model, generated
 * from the API's OpenAPI schema; the Prometheus Operator's for ServiceMonitor), as {@code
 * kubeconform} would check them offline: a field the API does not have ({@code readinessProb}) or a
 * value of the wrong type ({@code replicas: "2"}, a number where the API wants a string) fails,
 * naming the document and the field's path. Checked on the rendered overlays (what is applied) and
 * on every file alone (patches and resources no overlay uses yet).
 */
class ManifestSchemaTest {

  /** The kinds the manifests may use, by apiVersion and kind, and the API type that reads them. */
  static final Map<String, Class<?>> KINDS =
      Map.of(
          "apps/v1 Deployment", Deployment.class,
          "apps/v1 StatefulSet", StatefulSet.class,
          "v1 Service", Service.class,
          "v1 ConfigMap", ConfigMap.class,
          "v1 Secret", Secret.class,
          "networking.k8s.io/v1 Ingress", Ingress.class,
          "networking.k8s.io/v1 NetworkPolicy", NetworkPolicy.class,
          "policy/v1 PodDisruptionBudget", PodDisruptionBudget.class,
          "monitoring.coreos.com/v1 ServiceMonitor", ServiceMonitor.class);

  /**
   * Strict reading: the model types keep unknown fields in an "additional properties" map (any
   * setter) so that clients survive newer servers; here that map is switched off so an unknown
   * field fails, and scalars are not coerced (a quoted number is not a number, nor a number a
   * string), as the API server's own decoding does.
   */
  static final ObjectMapper STRICT =
      JsonMapper.builder()
          .annotationIntrospector(
              new JacksonAnnotationIntrospector() {
                @Override
                public Boolean hasAnySetter(Annotated a) {
                  return Boolean.FALSE;
                }
              })
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
          .withCoercionConfig(
              LogicalType.Textual,
              c ->
                  c.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                      .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                      .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
          .build();

  @ParameterizedTest
  @ValueSource(strings = {"dev", "prod"})
  void everyRenderedDocumentReadsAsItsApiType(String overlay) {
    List<String> problems = new ArrayList<>();
    for (Map<String, Object> doc : DeployManifestsTest.overlay(overlay)) {
      check(doc, "overlays/" + overlay).ifPresent(problems::add);
    }
    assertTrue(problems.isEmpty(), String.join("\n", problems));
  }

  @Test
  void everyManifestFileReadsAsItsApiType() throws IOException {
    List<String> problems = new ArrayList<>();
    int documents = 0;
    try (Stream<Path> files = Files.walk(DeployManifestsTest.KUBERNETES)) {
      for (Path file :
          files
              .filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml"))
              .filter(f -> !f.getFileName().toString().equals("kustomization.yaml"))
              .sorted()
              .toList()) {
        for (Map<String, Object> doc : Kustomize.load(file)) {
          documents++;
          check(doc, file.toString()).ifPresent(problems::add);
        }
      }
    }
    assertTrue(documents >= 15, "found only " + documents + " documents");
    assertTrue(problems.isEmpty(), String.join("\n", problems));
  }

  /** The check itself: a misspelt field, a wrong type and an unknown kind each fail it. */
  @Test
  void theCheckRejectsAMisspeltFieldAWrongTypeAndAnUnknownKind() {
    String good =
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: app}
        spec:
          replicas: 2
          selector: {matchLabels: {app: app}}
          template:
            metadata: {labels: {app: app}}
            spec:
              containers:
                - name: app
                  image: app:1
                  env: [{name: PORT, value: "8080"}]
                  resources: {requests: {cpu: 250m, memory: 512Mi}}
                  readinessProbe: {httpGet: {path: /q/health/ready, port: 8080}}
        """;
    assertEquals(java.util.Optional.empty(), check(yaml(good), "good"));

    assertProblem(good.replace("readinessProbe:", "readinessProb:"), "readinessProb");
    assertProblem(good.replace("replicas: 2", "replicas: \"2\""), "replicas");
    assertProblem(good.replace("value: \"8080\"", "value: 8080"), "value");
    assertProblem(good.replace("port: 8080}", "port: [8080]}"), "port");
    assertProblem(good.replace("kind: Deployment", "kind: Deploymnet"), "Deploymnet");
    assertProblem(
        """
        apiVersion: monitoring.coreos.com/v1
        kind: ServiceMonitor
        metadata: {name: app}
        spec:
          selector: {matchLabels: {app: app}}
          endpoints: [{port: http, pth: /q/metrics}]
        """,
        "pth");
  }

  private static void assertProblem(String text, String field) {
    String problem = check(yaml(text), "broken").orElseGet(() -> fail("accepted:\n" + text));
    assertTrue(problem.contains(field), problem);
  }

  /** What is wrong with {@code doc} against its API type, in one line naming the field, if any. */
  static java.util.Optional<String> check(Map<String, Object> doc, String where) {
    String key = doc.get("apiVersion") + " " + doc.get("kind");
    Class<?> type = KINDS.get(key);
    String name = where + ": " + Kustomize.id(doc);
    if (type == null) {
      return java.util.Optional.of(
          name + ": " + key + " is not a kind ManifestSchemaTest knows (add its API type)");
    }
    try {
      STRICT.convertValue(doc, type);
      return java.util.Optional.empty();
    } catch (IllegalArgumentException e) {
      if (!(e.getCause() instanceof JsonMappingException m)) {
        throw e;
      }
      StringBuilder path = new StringBuilder();
      for (JsonMappingException.Reference r : m.getPath()) {
        path.append(r.getFieldName() != null ? "." + r.getFieldName() : "[" + r.getIndex() + "]");
      }
      String why = m.getOriginalMessage().lines().findFirst().orElse("");
      return java.util.Optional.of(name + " at " + path.substring(1) + ": " + why);
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> yaml(String text) {
    return (Map<String, Object>) new Load(LoadSettings.builder().build()).loadFromString(text);
  }
}
