package io.eciconnector.cluster;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.apache.camel.CamelContext;
import org.apache.camel.cluster.CamelClusterMember;
import org.apache.camel.cluster.CamelClusterService;
import org.apache.camel.cluster.CamelClusterView;
import org.apache.camel.component.kubernetes.KubernetesConfiguration;
import org.apache.camel.component.kubernetes.cluster.KubernetesClusterService;
import org.apache.camel.component.kubernetes.cluster.KubernetesClusterView;
import org.apache.camel.component.master.MasterEndpoint;
import org.apache.camel.quarkus.main.events.BeforeConfigure;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Leader election for the pollers. Route files wrap every poller's endpoint in {@code master:pollers:...}: its
 * consumer runs only on the replica that leads the group {@code pollers}; the others stand by and take over when the
 * leader goes away. The cluster service is chosen by {@code eci.cluster.mode}:
 * <ul>
 * <li>{@code file} (default): an OS file lock under {@code eci.cluster.file.root} (data/cluster), by the connector's
 * own {@link FileLockLeaderService} (Camel 4.14.0's file-lock cluster service deadlocks at start). Replicas on one
 * machine or on a shared volume; a killed leader's lock is released by the OS and the next replica takes it within
 * {@code eci.cluster.file.acquire-interval}.</li>
 * <li>{@code kubernetes}: a coordination.k8s.io Lease {@code {lease-name}-{group}} in the pod's namespace (members are
 * the pods labelled {@code eci.cluster.kubernetes.labels}); a killed leader's lease expires after
 * {@code lease-duration}.</li>
 * </ul>
 * The gauge {@code eci_cluster_leader{group}} is 1 on the leader and 0 elsewhere.
 */
@ApplicationScoped
public class LeaderElection {

    private static final Logger LOG = Logger.getLogger(LeaderElection.class);

    @ConfigProperty(name = "eci.cluster.mode", defaultValue = "file")
    String mode;

    @ConfigProperty(name = "eci.cluster.file.root", defaultValue = "data/cluster")
    String fileRoot;

    @ConfigProperty(name = "eci.cluster.file.acquire-delay", defaultValue = "200MS")
    Duration fileAcquireDelay;

    @ConfigProperty(name = "eci.cluster.file.acquire-interval", defaultValue = "2S")
    Duration fileAcquireInterval;

    @ConfigProperty(name = "eci.cluster.kubernetes.namespace")
    Optional<String> kubernetesNamespace;

    @ConfigProperty(name = "eci.cluster.kubernetes.master-url")
    Optional<String> kubernetesMasterUrl;

    @ConfigProperty(name = "eci.cluster.kubernetes.lease-name", defaultValue = "eci-connector")
    String leaseName;

    @ConfigProperty(name = "eci.cluster.kubernetes.labels", defaultValue = "app.kubernetes.io/name=eci-connector")
    String labels;

    @ConfigProperty(name = "eci.cluster.kubernetes.pod-name")
    Optional<String> podName;

    @ConfigProperty(name = "eci.cluster.kubernetes.lease-duration", defaultValue = "15S")
    Duration leaseDuration;

    @ConfigProperty(name = "eci.cluster.kubernetes.renew-deadline", defaultValue = "10S")
    Duration renewDeadline;

    @ConfigProperty(name = "eci.cluster.kubernetes.retry-period", defaultValue = "2S")
    Duration retryPeriod;

    @Inject
    MeterRegistry registry;

    private volatile CamelContext camel;
    private volatile CamelClusterService service;
    private final Map<String, Instant> leaderSince = new ConcurrentHashMap<>();
    private final Map<String, Boolean> gauges = new ConcurrentHashMap<>();

    void beforeConfigure(@Observes BeforeConfigure event) throws Exception {
        camel = event.getMain().getCamelContext();
        service = create();
        camel.addService(service, true, true);
    }

    CamelClusterService create() {
        String id = memberId();
        switch (mode.trim().toLowerCase()) {
            case "file" -> {
                FileLockLeaderService file = new FileLockLeaderService(id, fileRoot, fileAcquireDelay,
                        fileAcquireInterval) {
                    @Override
                    protected FileLockLeaderView createView(String ns) throws Exception {
                        return watch(super.createView(ns));
                    }
                };
                LOG.infof("Leader election: file locks under %s (member %s, takes over within %s of a leader's end)",
                        java.nio.file.Path.of(fileRoot).toAbsolutePath(), id, fileAcquireInterval);
                return file;
            }
            case "kubernetes" -> {
                KubernetesConfiguration configuration = new KubernetesConfiguration();
                kubernetesMasterUrl.ifPresent(configuration::setMasterUrl);
                KubernetesClusterService k8s = new KubernetesClusterService(configuration) {
                    @Override
                    protected KubernetesClusterView createView(String ns) throws Exception {
                        return watch(super.createView(ns));
                    }
                };
                k8s.setId(id);
                kubernetesNamespace.filter(s -> !s.isBlank()).ifPresent(k8s::setKubernetesNamespace);
                podName.filter(s -> !s.isBlank()).ifPresent(k8s::setPodName);
                k8s.setKubernetesResourceName(leaseName);
                k8s.setClusterLabels(labels(labels));
                k8s.setLeaseDurationMillis(leaseDuration.toMillis());
                k8s.setRenewDeadlineMillis(renewDeadline.toMillis());
                k8s.setRetryPeriodMillis(retryPeriod.toMillis());
                LOG.infof("Leader election: Kubernetes Lease %s-{group} (pods labelled %s; a lost leader's lease expires "
                        + "after %s)", leaseName, labels, leaseDuration);
                return k8s;
            }
            default -> throw new IllegalStateException("eci.cluster.mode must be file or kubernetes, not " + mode);
        }
    }

    /** {@code k=v,k2=v2} as a map. */
    static Map<String, String> labels(String spec) {
        Map<String, String> out = new TreeMap<>();
        for (String pair : spec.split(",")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                out.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
            }
        }
        return out;
    }

    static String memberId() {
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (Exception e) {
                host = "localhost";
            }
        }
        return host + "-" + ManagementFactory.getRuntimeMXBean().getPid();
    }

    /** Logs leadership changes and keeps the gauge of the view's group. */
    <V extends CamelClusterView> V watch(V view) {
        String group = view.getNamespace();
        view.addEventListener((org.apache.camel.cluster.CamelClusterEventListener.Leadership) (v, leader) -> {
            boolean local = leader != null && leader.isLocal();
            if (local) {
                leaderSince.put(group, Instant.now());
                LOG.infof("Leadership of '%s' taken: this replica (%s) runs its pollers", group, service.getId());
            } else if (leaderSince.remove(group) != null) {
                LOG.infof("Leadership of '%s' lost: this replica stands by", group);
            }
        });
        if (gauges.putIfAbsent(group, true) == null) {
            Gauge.builder("eci.cluster.leader", this, e -> e.isLeader(group) ? 1 : 0).tag("group", group)
                    .description("1 on the replica that runs the pollers of the group, 0 on the others").register(registry);
        }
        return view;
    }

    public boolean isLeader(String group) {
        return leaderSince.containsKey(group);
    }

    public String mode() {
        return mode;
    }

    public String memberIdOfService() {
        return service == null ? memberId() : service.getId();
    }

    /** The groups used by master: endpoints and whether this replica leads each (since when). */
    public Map<String, Object> status() {
        Map<String, Object> groups = new LinkedHashMap<>();
        if (camel != null) {
            for (var endpoint : camel.getEndpoints()) {
                if (endpoint instanceof MasterEndpoint m) {
                    Instant since = leaderSince.get(m.getNamespace());
                    Map<String, Object> g = new LinkedHashMap<>();
                    g.put("leader", since != null);
                    g.put("since", since == null ? null : since.toString());
                    groups.putIfAbsent(m.getNamespace(), g);
                }
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("mode", mode);
        out.put("member", memberIdOfService());
        out.put("groups", groups);
        return out;
    }
}
