package io.territorysync.deploy;

import static io.territorysync.deploy.Kustomize.containers;
import static io.territorysync.deploy.Kustomize.id;
import static io.territorysync.deploy.Kustomize.metadata;
import static io.territorysync.deploy.Kustomize.path;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.config.WithName;
import io.territorysync.emulator.EmulatorSettings;
import io.territorysync.rules.RulesReader;
import io.territorysync.salesforce.SalesforceSettings;
import java.io.IOException;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.lang.reflect.ParameterizedType;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Kubernetes manifests and the compose file, rendered and read against the app itself: the
 * settings they give start the app (its own config mappings and settings check), the rules file
 * they mount is valid, no secret is written in them, and the workload is shaped for a rolling
 * update of two replicas. {@link DeployPathsTest} checks the HTTP paths they use against the
 * running app.
 */
class DeployManifestsTest {

  static final Path KUBERNETES = Path.of("deploy/kubernetes");
  static final Path COMPOSE = Path.of("deploy/compose.yaml");
  static final Path APP_PROPERTIES = Path.of("src/main/resources/application.properties");
  static final String APP = "territory-sync";
  static final String SECRETS = "territory-sync-secrets";

  /** A name that holds a secret: its value may only come from a Secret or an interpolation. */
  static final Pattern SECRET_NAME =
      Pattern.compile("(?i).*(SECRET|PASSWORD|_KEYS?$|TOKEN|CREDENTIAL).*");

  /** Variables read by the base image's run-java.sh and Quarkus settings the app does not name. */
  static final Set<String> OUTSIDE_THE_APP =
      Set.of("JAVA_MAX_MEM_RATIO", "JAVA_OPTS_APPEND", "quarkus.datasource.password");

  static List<Map<String, Object>> overlay(String name) {
    return Kustomize.render(KUBERNETES.resolve("overlays").resolve(name));
  }

  @ParameterizedTest
  @ValueSource(strings = {"dev", "prod"})
  void everyOverlayRendersKnownKindsWithNamesAndLabels(String overlay) {
    Map<String, String> apiVersions =
        Map.of(
            "Deployment", "apps/v1",
            "StatefulSet", "apps/v1",
            "Service", "v1",
            "ConfigMap", "v1",
            "Secret", "v1",
            "Ingress", "networking.k8s.io/v1",
            "PodDisruptionBudget", "policy/v1",
            "NetworkPolicy", "networking.k8s.io/v1",
            "ServiceMonitor", "monitoring.coreos.com/v1");
    List<Map<String, Object>> docs = overlay(overlay);
    Set<String> ids = new TreeSet<>();
    for (Map<String, Object> d : docs) {
      assertEquals(apiVersions.get((String) d.get("kind")), d.get("apiVersion"), id(d));
      assertNotNull(metadata(d).get("name"), id(d));
      assertEquals(APP, path(d, "metadata", "labels", "app.kubernetes.io/name"), id(d));
      assertTrue(ids.add(id(d)), "declared twice: " + id(d));
    }
    assertThat(
        ids,
        hasItems(
            "Deployment/" + APP,
            "Service/" + APP,
            "Ingress/" + APP,
            "PodDisruptionBudget/" + APP,
            "NetworkPolicy/" + APP,
            "ServiceMonitor/" + APP,
            "ConfigMap/territory-sync-config",
            "ConfigMap/territory-sync-rules"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"dev", "prod"})
  void theServiceRunsTwoReplicasWithProbesResourcesAndABudget(String overlay) {
    List<Map<String, Object>> docs = overlay(overlay);
    Map<String, Object> deployment = find(docs, "Deployment", APP);
    assertThat((Integer) path(deployment, "spec", "replicas"), greaterThanOrEqualTo(2));
    assertEquals(0, path(deployment, "spec", "strategy", "rollingUpdate", "maxUnavailable"));
    Map<String, Object> pdb = find(docs, "PodDisruptionBudget", APP);
    assertEquals(
        path(deployment, "spec", "selector", "matchLabels"),
        path(pdb, "spec", "selector", "matchLabels"));
    assertThat(
        (Integer) path(pdb, "spec", "minAvailable"),
        both(greaterThanOrEqualTo(1))
            .and(lessThan((Integer) path(deployment, "spec", "replicas"))));
    assertThat(
        (Integer) path(deployment, "spec", "template", "spec", "terminationGracePeriodSeconds"),
        greaterThanOrEqualTo(30));

    for (Map<String, Object> c : containers(docs)) {
      String what = c.get("name").toString();
      assertNotNull(path(c, "resources", "requests", "cpu"), what);
      assertNotNull(path(c, "resources", "requests", "memory"), what);
      assertNotNull(path(c, "resources", "limits", "memory"), what);
    }
    Map<String, Object> app = container(deployment);
    assertEquals("/q/health/live", path(app, "livenessProbe", "httpGet", "path"));
    assertEquals("/q/health/ready", path(app, "readinessProbe", "httpGet", "path"));
    assertNotNull(path(app, "startupProbe", "httpGet", "path"));
    for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
      assertThat(portNames(app), hasItem((String) path(app, probe, "httpGet", "port")));
    }
    assertEquals(false, path(app, "securityContext", "allowPrivilegeEscalation"));
    assertEquals(
        true, path(deployment, "spec", "template", "spec", "securityContext", "runAsNonRoot"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"dev", "prod"})
  void servicesIngressAndMonitorPointAtPortsThatExist(String overlay) {
    List<Map<String, Object>> docs = overlay(overlay);
    for (Map<String, Object> service : kind(docs, "Service")) {
      Map<?, ?> selector = (Map<?, ?>) path(service, "spec", "selector");
      List<Map<String, Object>> pods =
          docs.stream()
              .filter(
                  d ->
                      path(d, "spec", "template", "metadata", "labels") instanceof Map<?, ?> l
                          && l.entrySet().containsAll(selector.entrySet()))
              .toList();
      assertFalse(pods.isEmpty(), id(service) + " selects no pods");
      for (Object port : (List<?>) path(service, "spec", "ports")) {
        assertThat(
            id(service),
            portNames(container(pods.get(0))),
            hasItem((String) ((Map<?, ?>) port).get("targetPort")));
      }
    }
    Map<String, Object> service = find(docs, "Service", APP);
    Set<String> servicePorts = new TreeSet<>();
    ((List<?>) path(service, "spec", "ports"))
        .forEach(p -> servicePorts.add((String) ((Map<?, ?>) p).get("name")));
    Map<String, Object> monitor = find(docs, "ServiceMonitor", APP);
    assertTrue(
        ((Map<?, ?>) path(service, "metadata", "labels"))
            .entrySet()
            .containsAll(((Map<?, ?>) path(monitor, "spec", "selector", "matchLabels")).entrySet()),
        "the ServiceMonitor selects the Service");
    for (Object endpoint : (List<?>) path(monitor, "spec", "endpoints")) {
      assertThat(servicePorts, hasItem((String) ((Map<?, ?>) endpoint).get("port")));
    }
    for (Map<String, Object> backend : ingressBackends(find(docs, "Ingress", APP))) {
      assertEquals(APP, path(backend, "service", "name"));
      assertThat(servicePorts, hasItem((String) path(backend, "service", "port", "name")));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"dev", "prod"})
  void theSettingsGivenStartTheAppAgainstASharedDatabase(String overlay) throws Exception {
    List<Map<String, Object>> docs = overlay(overlay);
    Map<String, String> env = environment(docs, find(docs, "Deployment", APP));
    assertAppAccepts(env);
    assertThat(
        "two replicas need one shared PostgreSQL, not the embedded one",
        env.get("QUARKUS_DATASOURCE_JDBC_URL"),
        startsWith("jdbc:postgresql://"));
    assertThat(
        env.keySet(), hasItems("QUARKUS_DATASOURCE_USERNAME", "QUARKUS_DATASOURCE_PASSWORD"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"dev", "prod"})
  void theRulesFileTheServiceReadsIsValid(String overlay) throws IOException {
    List<Map<String, Object>> docs = overlay(overlay);
    Map<String, Object> deployment = find(docs, "Deployment", APP);
    String location = environment(docs, deployment).get("TERRITORY_RULES_FILE");
    assertThat(location, not(blankOrNullString()));
    String text;
    if (location.startsWith("classpath:")) {
      text =
          Files.readString(
              Path.of("src/main/resources", location.substring("classpath:".length())));
    } else {
      text = mountedFile(docs, deployment, location);
    }
    RulesReader.Result read = RulesReader.read(text, location);
    assertTrue(read.ok(), () -> location + ": " + read.problems());
  }

  @Test
  void theBaseRulesExampleIsValid() {
    String text =
        (String)
            path(
                find(
                    Kustomize.render(KUBERNETES.resolve("base")),
                    "ConfigMap",
                    "territory-sync-rules"),
                "data",
                "territory-rules.yaml");
    RulesReader.Result read = RulesReader.read(text, "base rules");
    assertTrue(read.ok(), () -> read.problems().toString());
  }

  @ParameterizedTest
  @ValueSource(strings = {"base", "overlays/dev", "overlays/prod"})
  void noSecretIsWrittenInAManifest(String dir) {
    List<Map<String, Object>> docs = Kustomize.render(KUBERNETES.resolve(dir));
    for (Map<String, Object> d : docs) {
      if (d.get("kind").equals("ConfigMap")) {
        ((Map<?, ?>) d.get("data"))
            .keySet()
            .forEach(
                k -> assertFalse(SECRET_NAME.matcher(k.toString()).matches(), id(d) + ": " + k));
      }
      if (d.get("kind").equals("Secret")) {
        assertEquals("overlays/dev", dir, "a Secret with values outside the demo overlay");
      }
    }
    for (Map<String, Object> c : containers(docs)) {
      for (Object e : (List<?>) c.getOrDefault("env", List.of())) {
        Map<?, ?> var = (Map<?, ?>) e;
        if (SECRET_NAME.matcher(var.get("name").toString()).matches()) {
          assertNotNull(path(var, "valueFrom", "secretKeyRef"), var.get("name") + " in " + dir);
        }
      }
    }
  }

  @Test
  void theProductionSecretIsCreatedAsDocumentedWithEveryKeyTheServiceReads() throws IOException {
    List<Map<String, Object>> docs = overlay("prod");
    Set<String> required = new TreeSet<>();
    Set<String> referenced = new TreeSet<>();
    for (Object e : (List<?>) container(find(docs, "Deployment", APP)).get("env")) {
      Object ref = path(e, "valueFrom", "secretKeyRef");
      if (ref instanceof Map<?, ?> r) {
        assertEquals(SECRETS, r.get("name"));
        referenced.add(r.get("key").toString());
        if (!Boolean.TRUE.equals(r.get("optional"))) {
          required.add(r.get("key").toString());
        }
      }
    }
    String doc = Files.readString(Path.of("docs/deploy.md"));
    Matcher command =
        Pattern.compile(
                "kubectl create secret generic " + SECRETS + "[^`]*?(?=\n```)", Pattern.DOTALL)
            .matcher(doc);
    assertTrue(command.find(), "docs/deploy.md shows how to create " + SECRETS);
    Set<String> documented = new TreeSet<>();
    Matcher literal =
        Pattern.compile("--from-(?:literal|file)=([a-z-]+)=").matcher(command.group());
    while (literal.find()) {
      documented.add(literal.group(1));
    }
    assertTrue(
        documented.containsAll(required), "documented " + documented + ", needed " + required);
    assertTrue(
        referenced.containsAll(documented), "documented " + documented + ", read " + referenced);
  }

  @Test
  void theDemoOverlayLogsIntoItsOwnEmulator() {
    List<Map<String, Object>> docs = overlay("dev");
    Map<String, Object> secret = find(docs, "Secret", SECRETS);
    EmulatorSettings demo = EmulatorSettings.defaults();
    assertEquals(demo.clientId(), path(secret, "stringData", "salesforce-client-id"));
    assertEquals(demo.clientSecret(), path(secret, "stringData", "salesforce-client-secret"));

    Map<String, String> env = environment(docs, find(docs, "Deployment", APP));
    URI login = URI.create(env.get("CAMEL_COMPONENT_SALESFORCE_LOGIN_URL"));
    Map<String, Object> service = find(docs, "Service", login.getHost());
    Map<?, ?> port =
        ((List<?>) path(service, "spec", "ports"))
            .stream()
                .map(p -> (Map<?, ?>) p)
                .filter(p -> p.get("port").equals(login.getPort()))
                .findFirst()
                .orElseThrow();
    Map<String, Object> emulator = container(find(docs, "Deployment", "territory-sync-emulator"));
    List<?> args = (List<?>) emulator.get("args");
    assertEquals("emulator", args.get(0));
    assertFalse(args.contains("--client-id") || args.contains("--client-secret"), args.toString());
    int containerPort =
        ((List<?>) emulator.get("ports"))
            .stream()
                .map(p -> (Map<?, ?>) p)
                .filter(p -> p.get("name").equals(port.get("targetPort")))
                .map(p -> (Integer) p.get("containerPort"))
                .findFirst()
                .orElseThrow();
    assertEquals(String.valueOf(containerPort), args.get(args.indexOf("--port") + 1));
  }

  @Test
  void theProductionPublicUrlIsTheIngressHostOverHttps() {
    List<Map<String, Object>> docs = overlay("prod");
    URI publicUrl =
        URI.create(environment(docs, find(docs, "Deployment", APP)).get("TERRITORY_PUBLIC_URL"));
    assertEquals("https", publicUrl.getScheme());
    Map<String, Object> ingress = find(docs, "Ingress", APP);
    assertEquals(
        publicUrl.getHost(), path(((List<?>) path(ingress, "spec", "rules")).get(0), "host"));
    assertTrue(
        ((List<?>) path(((List<?>) path(ingress, "spec", "tls")).get(0), "hosts"))
            .contains(publicUrl.getHost()));
  }

  @Test
  void theComposeFileStartsTheAppAgainstItsPostgresAndEmulator() throws Exception {
    Map<?, ?> services = (Map<?, ?>) Kustomize.load(COMPOSE).get(0).get("services");
    assertTrue(services.keySet().containsAll(List.of("app", "postgres", "emulator")));
    Map<String, String> env = new LinkedHashMap<>();
    ((Map<?, ?>) path(services, "app", "environment"))
        .forEach((k, v) -> env.put(k.toString(), String.valueOf(v)));
    env.forEach(
        (k, v) -> {
          if (SECRET_NAME.matcher(k).matches()) {
            assertTrue(v.matches("\\$\\{\\w+:-[^}]*}"), k + " is overridable from the shell");
          }
        });
    Map<String, String> resolved = new LinkedHashMap<>();
    env.forEach((k, v) -> resolved.put(k, v.replaceAll("\\$\\{\\w+:-([^}]*)}", "$1")));
    assertAppAccepts(resolved);

    URI db = URI.create(resolved.get("QUARKUS_DATASOURCE_JDBC_URL").substring("jdbc:".length()));
    Map<?, ?> postgres = (Map<?, ?>) path(services, db.getHost(), "environment");
    assertEquals("/" + postgres.get("POSTGRES_DB"), db.getPath());
    assertEquals(postgres.get("POSTGRES_USER"), env.get("QUARKUS_DATASOURCE_USERNAME"));
    assertEquals(postgres.get("POSTGRES_PASSWORD"), env.get("QUARKUS_DATASOURCE_PASSWORD"));

    URI login = URI.create(resolved.get("CAMEL_COMPONENT_SALESFORCE_LOGIN_URL"));
    List<?> command = (List<?>) path(services, login.getHost(), "command");
    assertEquals("emulator", command.get(0));
    assertEquals(String.valueOf(login.getPort()), command.get(command.indexOf("--port") + 1));
    assertEquals(
        EmulatorSettings.defaults().clientSecret(),
        resolved.get("CAMEL_COMPONENT_SALESFORCE_CLIENT_SECRET"));
    assertTrue(((List<?>) path(services, "app", "ports")).contains("8080:8080"));
  }

  @Test
  void theTestRenderingAgreesWithKubectlKustomize() throws Exception {
    Assumptions.assumeTrue(onPath("kubectl"), "kubectl is not installed");
    for (String dir : List.of("base", "overlays/dev", "overlays/prod")) {
      Path out = Files.createTempFile("kustomize", ".yaml");
      Process p =
          new ProcessBuilder("kubectl", "kustomize", KUBERNETES.resolve(dir).toString())
              .redirectOutput(out.toFile())
              .redirectErrorStream(false)
              .start();
      assertTrue(p.waitFor(120, TimeUnit.SECONDS), "kubectl kustomize " + dir);
      assertEquals(0, p.exitValue(), new String(p.getErrorStream().readAllBytes()));
      Map<String, Map<String, Object>> kubectl = byId(Kustomize.load(out));
      Map<String, Map<String, Object>> ours = byId(Kustomize.render(KUBERNETES.resolve(dir)));
      Files.delete(out);
      assertEquals(kubectl.keySet(), ours.keySet(), dir);
      ours.forEach((id, doc) -> assertEquals(kubectl.get(id), doc, dir + " " + id));
    }
  }

  /** Every HTTP path the manifests make a request to or route to the app. */
  static Set<String> httpPaths() {
    Set<String> paths = new TreeSet<>();
    for (String overlay : List.of("dev", "prod")) {
      List<Map<String, Object>> docs = overlay(overlay);
      Map<String, Object> app = container(find(docs, "Deployment", APP));
      for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
        paths.add((String) path(app, probe, "httpGet", "path"));
      }
      for (Object endpoint :
          (List<?>) path(find(docs, "ServiceMonitor", APP), "spec", "endpoints")) {
        paths.add((String) ((Map<?, ?>) endpoint).get("path"));
      }
      for (Object rule : (List<?>) path(find(docs, "Ingress", APP), "spec", "rules")) {
        for (Object p : (List<?>) path(rule, "http", "paths")) {
          paths.add((String) ((Map<?, ?>) p).get("path"));
        }
      }
    }
    return paths;
  }

  // --- the app's configuration, read the way Quarkus reads it in production ---------------

  /**
   * Fails unless the app would start with {@code env}, and every variable in it is one it reads.
   */
  static void assertAppAccepts(Map<String, String> env) throws Exception {
    List<Class<?>> classes = appClasses();
    SmallRyeConfigBuilder builder =
        new SmallRyeConfigBuilder()
            .addDefaultInterceptors()
            .withProfile("prod")
            .withSources(
                new PropertiesConfigSource(APP_PROPERTIES.toUri().toURL(), 250),
                new EnvConfigSource(env, 300))
            .withConverter(Duration.class, 200, new DurationConverter())
            .withValidateUnknown(false);
    Set<String> known = new TreeSet<>(OUTSIDE_THE_APP);
    for (Class<?> c : classes) {
      ConfigMapping mapping = c.getAnnotation(ConfigMapping.class);
      if (mapping != null) {
        builder.withMapping(c);
        mappingNames(mapping.prefix(), c, known);
      }
    }
    // Building validates every @ConfigMapping: a required setting missing fails here.
    SmallRyeConfig config = builder.build();
    assertEquals(Optional.empty(), SalesforceSettings.validate(config));
    for (Class<?> c : classes) {
      for (AnnotatedElement e : injectionPoints(c)) {
        ConfigProperty p = e.getAnnotation(ConfigProperty.class);
        if (p == null) {
          continue;
        }
        known.add(p.name());
        Class<?> type = e instanceof Field f ? f.getType() : ((Parameter) e).getType();
        if (p.defaultValue().equals(ConfigProperty.UNCONFIGURED_VALUE) && type != Optional.class) {
          assertTrue(
              config.getOptionalValue(p.name(), String.class).isPresent(),
              p.name() + " (read by " + c.getSimpleName() + ") has no default and is not set");
        }
      }
    }
    String properties = Files.readString(APP_PROPERTIES, StandardCharsets.UTF_8);
    Matcher m = Pattern.compile("(?m)^(?:%[\\w-]+\\.)?([\\w.\"-]+)=").matcher(properties);
    while (m.find()) {
      known.add(m.group(1));
    }
    Matcher refs = Pattern.compile("\\$\\{([\\w.-]+)").matcher(properties);
    while (refs.find()) {
      known.add(refs.group(1));
    }
    for (String var : env.keySet()) {
      assertTrue(
          known.stream().anyMatch(n -> envName(n).equals(var) || wildcard(n, var)),
          var + " is not a setting the app reads (a typo?)");
    }
  }

  static String envName(String property) {
    return property.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT);
  }

  private static boolean wildcard(String name, String var) {
    return name.endsWith(".*") && var.startsWith(envName(name.substring(0, name.length() - 1)));
  }

  private static void mappingNames(String prefix, Class<?> type, Set<String> out) {
    for (Method m : type.getMethods()) {
      if (m.getParameterCount() > 0 || Modifier.isStatic(m.getModifiers()) || m.isDefault()) {
        continue;
      }
      WithName with = m.getAnnotation(WithName.class);
      String name = prefix + "." + (with != null ? with.value() : kebab(m.getName()));
      Class<?> group = m.getReturnType();
      if (group == Optional.class
          && m.getGenericReturnType() instanceof ParameterizedType t
          && t.getActualTypeArguments()[0] instanceof Class<?> inner) {
        group = inner;
      }
      if (Map.class.isAssignableFrom(group)) {
        out.add(name + ".*");
      } else if (group.isInterface() && !group.getName().startsWith("java.")) {
        mappingNames(name, group, out);
      } else {
        out.add(name);
      }
    }
  }

  private static String kebab(String camel) {
    return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
  }

  private static List<AnnotatedElement> injectionPoints(Class<?> c) {
    List<AnnotatedElement> out = new ArrayList<>(List.of(c.getDeclaredFields()));
    Stream.concat(Stream.of(c.getDeclaredConstructors()), Stream.of(c.getDeclaredMethods()))
        .forEach(x -> out.addAll(List.of(x.getParameters())));
    return out;
  }

  private static List<Class<?>> appClasses() throws IOException {
    Path root = Path.of("target/classes");
    List<Class<?>> out = new ArrayList<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
        String name = root.relativize(f).toString().replace('/', '.').replaceAll("\\.class$", "");
        try {
          out.add(Class.forName(name, false, DeployManifestsTest.class.getClassLoader()));
        } catch (Throwable notLoadable) {
          // generated or optional classes the test does not need
        }
      }
    }
    return out;
  }

  // --- reading the rendered manifests ------------------------------------------------------

  /** The container's environment: its ConfigMaps' data, literal values, Secret references. */
  static Map<String, String> environment(
      List<Map<String, Object>> docs, Map<String, Object> workload) {
    Map<String, Object> c = container(workload);
    Map<String, String> env = new LinkedHashMap<>();
    for (Object from : (List<?>) c.getOrDefault("envFrom", List.of())) {
      String name = (String) path(from, "configMapRef", "name");
      ((Map<?, ?>) find(docs, "ConfigMap", name).get("data"))
          .forEach((k, v) -> env.put(k.toString(), v.toString()));
    }
    for (Object e : (List<?>) c.getOrDefault("env", List.of())) {
      Map<?, ?> var = (Map<?, ?>) e;
      Object ref = path(var, "valueFrom", "secretKeyRef");
      if (ref instanceof Map<?, ?> r) {
        env.put(var.get("name").toString(), "from-secret-" + r.get("key"));
      } else {
        env.put(var.get("name").toString(), var.get("value").toString());
      }
    }
    return env;
  }

  private static String mountedFile(
      List<Map<String, Object>> docs, Map<String, Object> deployment, String file) {
    Map<String, Object> c = container(deployment);
    for (Object m : (List<?>) c.get("volumeMounts")) {
      String mountPath = (String) ((Map<?, ?>) m).get("mountPath");
      if (file.startsWith(mountPath + "/")) {
        String volume = (String) ((Map<?, ?>) m).get("name");
        for (Object v : (List<?>) path(deployment, "spec", "template", "spec", "volumes")) {
          if (volume.equals(((Map<?, ?>) v).get("name"))) {
            String configMap = (String) path(v, "configMap", "name");
            Object text =
                path(
                    find(docs, "ConfigMap", configMap),
                    "data",
                    file.substring(mountPath.length() + 1));
            assertNotNull(text, file + " in ConfigMap " + configMap);
            return text.toString();
          }
        }
      }
    }
    throw new AssertionError(file + " is on no mounted volume");
  }

  static Map<String, Object> find(List<Map<String, Object>> docs, String kind, String name) {
    return docs.stream()
        .filter(d -> kind.equals(d.get("kind")) && name.equals(metadata(d).get("name")))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind + "/" + name));
  }

  private static List<Map<String, Object>> kind(List<Map<String, Object>> docs, String kind) {
    return docs.stream().filter(d -> kind.equals(d.get("kind"))).toList();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> container(Map<String, Object> workload) {
    return ((List<Map<String, Object>>) path(workload, "spec", "template", "spec", "containers"))
        .get(0);
  }

  private static Set<String> portNames(Map<String, Object> container) {
    Set<String> names = new TreeSet<>();
    ((List<?>) container.get("ports"))
        .forEach(p -> names.add((String) ((Map<?, ?>) p).get("name")));
    return names;
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> ingressBackends(Map<String, Object> ingress) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Object rule : (List<?>) path(ingress, "spec", "rules")) {
      for (Object p : (List<?>) path(rule, "http", "paths")) {
        out.add((Map<String, Object>) ((Map<?, ?>) p).get("backend"));
      }
    }
    return out;
  }

  private static Map<String, Map<String, Object>> byId(List<Map<String, Object>> docs) {
    Map<String, Map<String, Object>> out = new HashMap<>();
    docs.forEach(d -> out.put(id(d), d));
    return out;
  }

  private static boolean onPath(String command) {
    return Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
        .anyMatch(dir -> Files.isExecutable(Path.of(dir, command)));
  }
}
