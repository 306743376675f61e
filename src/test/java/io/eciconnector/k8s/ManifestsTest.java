package io.eciconnector.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;

/** k8s/ parsed into typed Kubernetes objects, and checked against the application's own configuration. */
class ManifestsTest {

    static final Path K8S = Path.of("k8s");

    static <T> T load(String file, Class<T> type) throws IOException {
        try (InputStream in = Files.newInputStream(K8S.resolve(file))) {
            return Serialization.unmarshal(in, type);
        }
    }

    static Properties defaults() throws IOException {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(Path.of("src/main/resources/application.properties"))) {
            p.load(in);
        }
        return p;
    }

    static Container container() throws IOException {
        Deployment d = load("deployment.yaml", Deployment.class);
        assertEquals(1, d.getSpec().getTemplate().getSpec().getContainers().size());
        return d.getSpec().getTemplate().getSpec().getContainers().get(0);
    }

    static String env(Container c, String name) {
        return c.getEnv().stream().filter(e -> e.getName().equals(name)).map(EnvVar::getValue).findFirst()
                .orElseThrow(() -> new AssertionError("no env " + name));
    }

    static VolumeMount mountAt(Container c, String path) {
        return c.getVolumeMounts().stream().filter(m -> path.startsWith(m.getMountPath() + "/") || path.equals(m.getMountPath()))
                .findFirst().orElseThrow(() -> new AssertionError("nothing mounted at " + path));
    }

    @Test
    void portsAndProbesMatchTheApplication() throws IOException {
        Container c = container();
        Map<String, Integer> ports = c.getPorts().stream()
                .collect(Collectors.toMap(p -> p.getName(), p -> p.getContainerPort()));
        assertEquals(Integer.valueOf(defaults().getProperty("quarkus.http.port")), ports.get("http"));
        assertEquals(9876, ports.get("management"), "observability-services' management port");
        for (Probe probe : List.of(c.getLivenessProbe(), c.getReadinessProbe(), c.getStartupProbe())) {
            assertEquals("management", probe.getHttpGet().getPort().getStrVal());
            assertTrue(probe.getHttpGet().getPath().startsWith("/observe/health/"), probe.getHttpGet().getPath());
        }
        assertEquals("/observe/health/ready", c.getReadinessProbe().getHttpGet().getPath());
        Service http = load("service.yaml", Service.class);
        assertEquals("http", http.getSpec().getPorts().get(0).getTargetPort().getStrVal());
        Service management = load("service-management.yaml", Service.class);
        assertEquals(9876, management.getSpec().getPorts().get(0).getPort());
        assertEquals("management", management.getSpec().getPorts().get(0).getTargetPort().getStrVal());
        GenericKubernetesResource monitor = load("servicemonitor.yaml", GenericKubernetesResource.class);
        assertEquals("ServiceMonitor", monitor.getKind());
        @SuppressWarnings("unchecked")
        Map<String, Object> endpoint = ((List<Map<String, Object>>) ((Map<String, Object>) monitor
                .getAdditionalProperties().get("spec")).get("endpoints")).get(0);
        assertEquals("management", endpoint.get("port"));
        assertEquals("/observe/metrics", endpoint.get("path"));
    }

    @Test
    void routesConfigAndSecretsAreMountedWhereTheApplicationReadsThem() throws IOException {
        Deployment d = load("deployment.yaml", Deployment.class);
        Container c = container();
        Map<String, Volume> volumes = d.getSpec().getTemplate().getSpec().getVolumes().stream()
                .collect(Collectors.toMap(Volume::getName, v -> v));
        VolumeMount routes = mountAt(c, env(c, "ECI_ROUTES_DIR"));
        assertEquals("eci-connector-routes", volumes.get(routes.getName()).getConfigMap().getName());
        VolumeMount config = mountAt(c, env(c, "ECI_CONFIG_FILE"));
        assertEquals("eci-connector-config", volumes.get(config.getName()).getConfigMap().getName());
        for (EnvVar e : c.getEnv()) {
            if (e.getName().endsWith("_FILE") && !e.getName().equals("ECI_CONFIG_FILE")) {
                VolumeMount m = mountAt(c, e.getValue());
                assertNotNull(volumes.get(m.getName()).getSecret(), e.getName() + " must come from a Secret");
                assertTrue(m.getReadOnly(), m.getName() + " read-only");
            }
        }
        assertEquals(2, d.getSpec().getReplicas(), "two replicas: one leads the pollers, the other stands by");
        // issue 12.1, 12.6: credentials are files of Secrets no other user of the node reads, and outside the sandbox
        // the operations API and the signal webhook have their tokens
        for (Volume v : volumes.values()) {
            if (v.getSecret() != null) {
                Integer mode = v.getSecret().getDefaultMode();
                assertNotNull(mode, v.getName() + ": a Secret's files get an explicit mode");
                assertEquals(0, mode & 0007, v.getName() + ": no access for other users (" + Integer.toOctalString(mode) + ")");
            }
        }
        assertEquals("false", env(c, "ECI_SANDBOX_ENABLED"));
        for (String token : List.of("ECI_OPS_TOKEN_FILE", "ECI_OPS_READ_TOKEN_FILE", "ECI_SIGNALS_HTTP_TOKEN_FILE")) {
            assertNotNull(mountAt(c, env(c, token)), token);
        }
        assertNotNull(c.getResources().getLimits().get("memory"));
    }

    /** Every document of a multi-document manifest, parsed into its typed object. */
    static List<HasMetadata> loadAll(String file) throws IOException {
        List<HasMetadata> out = new java.util.ArrayList<>();
        for (String doc : Files.readString(K8S.resolve(file)).split("(?m)^---\\s*$")) {
            if (doc.lines().anyMatch(l -> l.startsWith("kind:"))) {
                out.add(Serialization.unmarshal(doc));
            }
        }
        return out;
    }

    @Test
    void theDeploymentMayHoldAndRenewTheLeaseOfThePollers() throws IOException {
        Deployment d = load("deployment.yaml", Deployment.class);
        Container c = container();
        assertEquals("kubernetes", env(c, "ECI_CLUSTER_MODE"), "the Lease-based cluster service on Kubernetes");
        EnvVar namespace = c.getEnv().stream().filter(e -> e.getName().equals("ECI_CLUSTER_KUBERNETES_NAMESPACE"))
                .findFirst().orElseThrow();
        assertEquals("metadata.namespace", namespace.getValueFrom().getFieldRef().getFieldPath());
        List<HasMetadata> rbac = loadAll("rbac.yaml");
        ServiceAccount account = rbac.stream().filter(ServiceAccount.class::isInstance).map(ServiceAccount.class::cast)
                .findFirst().orElseThrow(() -> new AssertionError("no ServiceAccount"));
        assertEquals(account.getMetadata().getName(), d.getSpec().getTemplate().getSpec().getServiceAccountName(),
                "the pods run as the ServiceAccount that the Role is bound to");
        Role role = rbac.stream().filter(Role.class::isInstance).map(Role.class::cast).findFirst()
                .orElseThrow(() -> new AssertionError("no Role"));
        RoleBinding binding = rbac.stream().filter(RoleBinding.class::isInstance).map(RoleBinding.class::cast)
                .findFirst().orElseThrow(() -> new AssertionError("no RoleBinding"));
        assertEquals(role.getMetadata().getName(), binding.getRoleRef().getName());
        assertEquals("Role", binding.getRoleRef().getKind());
        assertTrue(binding.getSubjects().stream().anyMatch(s -> s.getKind().equals("ServiceAccount")
                && s.getName().equals(account.getMetadata().getName())));
        assertTrue(allows(role, "coordination.k8s.io", "leases",
                Set.of("get", "list", "watch", "create", "update", "patch")), "Lease verbs");
        assertTrue(allows(role, "", "pods", Set.of("get", "list")), "the cluster members are the pods");
        Set<String> resources = new TreeSet<>();
        try (Stream<String> lines = Files.lines(K8S.resolve("kustomization.yaml"))) {
            lines.map(String::trim).filter(l -> l.startsWith("- ") && l.endsWith(".yaml") && !l.contains("/"))
                    .forEach(l -> resources.add(l.substring(2)));
        }
        assertTrue(resources.contains("rbac.yaml"), "kubectl apply -k applies the RBAC too: " + resources);
        String labels = defaults().getProperty("eci.cluster.kubernetes.labels", "app.kubernetes.io/name=eci-connector");
        assertTrue(Files.readString(K8S.resolve("kustomization.yaml")).contains(labels.replace("=", ": ")),
                "the pods carry the labels by which the cluster service finds its members");
    }

    static boolean allows(Role role, String apiGroup, String resource, Set<String> verbs) {
        return role.getRules().stream().anyMatch(r -> r.getApiGroups().contains(apiGroup)
                && r.getResources().contains(resource) && r.getVerbs().containsAll(verbs));
    }

    /**
     * k8s/prometheusrule.yaml: every alert is complete (name, expression, severity, summary) and every eci_* metric it
     * names, in an expression or in the prose, is one the connector registers, with only the labels it carries.
     */
    @Test
    @SuppressWarnings("unchecked")
    void theAlertsUseOnlyMetricsAndLabelsTheConnectorExports() throws IOException {
        GenericKubernetesResource rule = load("prometheusrule.yaml", GenericKubernetesResource.class);
        assertEquals("PrometheusRule", rule.getKind());
        List<Map<String, Object>> rules = ((List<Map<String, Object>>) ((Map<String, Object>) rule.getAdditionalProperties()
                .get("spec")).get("groups")).stream().flatMap(g -> ((List<Map<String, Object>>) g.get("rules")).stream())
                .toList();
        assertTrue(rules.size() >= 5, "the README's alerts");
        for (Map<String, Object> r : rules) {
            String name = String.valueOf(r.get("alert"));
            assertTrue(name.startsWith("Eci"), name);
            assertTrue(String.valueOf(r.get("expr")).contains("eci_"), name + ": an expression on the connector's metrics");
            assertTrue(Set.of("warning", "critical").contains(((Map<String, Object>) r.get("labels")).get("severity")), name);
            assertNotNull(((Map<String, Object>) r.get("annotations")).get("summary"), name);
        }
        Map<String, Set<String>> exported = exportedMetrics();
        Matcher m = Pattern.compile("\\b(eci_[a-z_]+)(\\{([^}]*)\\})?").matcher(Files.readString(K8S.resolve("prometheusrule.yaml")));
        int named = 0;
        while (m.find()) {
            named++;
            Set<String> labels = exported.get(m.group(1));
            assertNotNull(labels, m.group(1) + " is not a metric the connector exports: " + exported.keySet());
            if (m.group(3) != null) {
                Matcher label = Pattern.compile("([a-z_]+)\\s*(=~|!~|!=|=)").matcher(m.group(3));
                while (label.find()) {
                    assertTrue(labels.contains(label.group(1)), m.group() + ": " + m.group(1) + " has no label "
                            + label.group(1) + ", only " + labels);
                }
            }
        }
        assertTrue(named > rules.size(), "metrics named");
    }

    /**
     * The eci_* metrics the main code registers with Micrometer, by their Prometheus names, with their tags: a counter
     * gets _total, a timer _seconds (and quantile with percentiles), dots become underscores.
     */
    static Map<String, Set<String>> exportedMetrics() throws IOException {
        Map<String, Set<String>> out = new TreeMap<>();
        Pattern builder = Pattern.compile("(Counter|Gauge|Timer|DistributionSummary)\\.builder\\(\"(eci\\.[a-z.]+)\"");
        List<Path> sources;
        try (Stream<Path> s = Files.walk(Path.of("src/main/java"))) {
            sources = s.filter(p -> p.toString().endsWith(".java")).toList();
        }
        for (Path source : sources) {
            String text = Files.readString(source);
            Matcher b = builder.matcher(text);
            while (b.find()) {
                int end = text.indexOf(".register(", b.end());
                String statement = text.substring(b.end(), end < 0 ? text.length() : end);
                Set<String> tags = new TreeSet<>();
                Matcher tag = Pattern.compile("\\.tag\\(\"([a-z_]+)\"").matcher(statement);
                while (tag.find()) {
                    tags.add(tag.group(1));
                }
                String base = b.group(2).replace('.', '_');
                switch (b.group(1)) {
                    case "Counter" -> out.put(base + "_total", tags);
                    case "Timer" -> {
                        Set<String> withQuantile = new TreeSet<>(tags);
                        if (statement.contains("publishPercentiles")) {
                            withQuantile.add("quantile");
                        }
                        out.put(base + "_seconds", withQuantile);
                        for (String suffix : List.of("_count", "_sum", "_max")) {
                            out.put(base + "_seconds" + suffix, tags);
                        }
                    }
                    case "DistributionSummary" -> {
                        out.put(base, tags);
                        for (String suffix : List.of("_count", "_sum", "_max")) {
                            out.put(base + suffix, tags);
                        }
                    }
                    default -> out.put(base, tags);
                }
            }
        }
        return out;
    }

    @Test
    void theRoutesConfigMapHoldsEveryRouteFile() throws IOException {
        Set<String> files;
        try (Stream<Path> s = Files.list(Path.of("routes"))) {
            files = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml")).collect(Collectors.toCollection(TreeSet::new));
        }
        Set<String> listed = new TreeSet<>();
        for (String line : Files.readAllLines(K8S.resolve("kustomization.yaml"))) {
            String t = line.trim();
            if (t.startsWith("- ../routes/")) {
                listed.add(t.substring("- ../routes/".length()));
            }
        }
        assertEquals(files, listed, "k8s/kustomization.yaml must list every file of routes/");
    }
}
