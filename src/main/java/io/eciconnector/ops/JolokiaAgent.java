package io.eciconnector.ops;

import java.util.HashMap;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.jolokia.jvmagent.JolokiaServer;
import org.jolokia.jvmagent.JolokiaServerConfig;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * Jolokia (JMX over HTTP) for Hawtio: Camel's MBeans (routes, processors, stop/start) and the JVM's. Bound to the
 * loopback interface only ({@code eci.jolokia.host}, 127.0.0.1; reach it with {@code kubectl port-forward}, which
 * connects to the pod's loopback) on {@code eci.jolokia.port} (8778), with HTTP basic auth: user {@code eci-ops},
 * password the operations token ({@link OpsAccess}). Off with {@code eci.jolokia.enabled=false}.
 */
@ApplicationScoped
public class JolokiaAgent {

    private static final Logger LOG = Logger.getLogger(JolokiaAgent.class);

    @ConfigProperty(name = "eci.jolokia.enabled", defaultValue = "true")
    boolean enabled;

    @ConfigProperty(name = "eci.jolokia.host", defaultValue = "127.0.0.1")
    String host;

    @ConfigProperty(name = "eci.jolokia.port", defaultValue = "8778")
    int port;

    @Inject
    OpsAccess access;

    private JolokiaServer server;

    void start(@Observes StartupEvent start) {
        if (!enabled) {
            LOG.info("Jolokia: off (eci.jolokia.enabled=false)");
            return;
        }
        Map<String, String> config = new HashMap<>();
        config.put("host", host);
        config.put("port", String.valueOf(port));
        config.put("agentContext", "/jolokia");
        config.put("user", OpsAccess.USER);
        config.put("password", access.token());
        config.put("restrictorClass", JolokiaDomains.class.getName());
        config.put("discoveryEnabled", "false");
        config.put("includeStackTrace", "false");
        try {
            server = new JolokiaServer(new JolokiaServerConfig(config));
            server.start(false);
            LOG.infof("Jolokia: http://%s:%d/jolokia/ (user %s, password: the operations token)", host,
                    server.getAddress().getPort(), OpsAccess.USER);
        } catch (Exception e) {
            LOG.warnf("Jolokia not started on %s:%d: %s", host, port, e.getMessage());
        }
    }

    void stop(@Observes ShutdownEvent stop) {
        if (server != null) {
            try {
                server.stop();
            } catch (IllegalStateException shutdownInProgress) {
                // on SIGTERM the JVM is already running Jolokia's own shutdown hook, which stops the server
            }
        }
    }

    public int port() {
        return server == null ? -1 : server.getAddress().getPort();
    }
}
