package io.eciconnector.ops;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Named;

import org.apache.camel.cli.connector.DefaultCliConnectorFactory;
import org.apache.camel.spi.CliConnectorFactory;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The Camel JBang CLI connector (camel-cli-connector): the running connector writes its status (routes, consoles,
 * health) under {@code ~/.camel/} of the user that runs it and reads commands from there, so that {@code camel ps},
 * {@code camel get route}, {@code camel cmd stop-route} work from a shell on the same machine (or in the pod, with
 * {@code kubectl exec}). It reaches nothing over the network. {@code eci.cli-connector.enabled=false} turns it off.
 */
@ApplicationScoped
public class CliConnector {

    @ConfigProperty(name = "eci.cli-connector.enabled", defaultValue = "true")
    boolean enabled;

    @Produces
    @jakarta.inject.Singleton
    @Named("eciCliConnectorFactory")
    CliConnectorFactory cliConnectorFactory() {
        DefaultCliConnectorFactory factory = new DefaultCliConnectorFactory();
        factory.setEnabled(enabled);
        factory.setRuntime("Quarkus");
        factory.setRuntimeStartClass("io.quarkus.runner.GeneratedMain");
        return factory;
    }
}
