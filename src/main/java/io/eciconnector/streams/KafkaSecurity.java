package io.eciconnector.streams;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.apache.camel.component.kafka.KafkaComponent;
import org.apache.camel.component.kafka.KafkaConfiguration;
import org.apache.camel.component.kafka.consumer.DefaultKafkaManualCommitFactory;
import org.apache.camel.quarkus.core.events.ComponentAddEvent;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.eciconnector.salesforce.Secrets;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Security of the Kafka source (routes/signals-kafka.yaml), set on the kafka component when Camel adds it, so that
 * secrets come from the environment or mounted files and never appear in a route file or an endpoint URI:
 * eci.signals.kafka.security-protocol (PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL), sasl-mechanism (PLAIN,
 * SCRAM-SHA-512, AWS_MSK_IAM, ...), sasl-jaas-config or sasl-jaas-config-file, ssl-truststore-location (+ -type,
 * -password or -password-file), ssl-keystore-location (+ -type, -password(-file)), ssl-key-password(-file).
 */
@ApplicationScoped
@RegisterForReflection(targets = DefaultKafkaManualCommitFactory.class) // named by class in routes/signals-kafka.yaml
public class KafkaSecurity {

    private static final Logger LOG = Logger.getLogger(KafkaSecurity.class);
    static final String P = "eci.signals.kafka.";

    @ConfigProperty(name = P + "security-protocol")
    Optional<String> securityProtocol;
    @ConfigProperty(name = P + "sasl-mechanism")
    Optional<String> saslMechanism;
    @ConfigProperty(name = P + "sasl-jaas-config")
    Optional<String> saslJaasConfig;
    @ConfigProperty(name = P + "sasl-jaas-config-file")
    Optional<String> saslJaasConfigFile;
    @ConfigProperty(name = P + "ssl-truststore-location")
    Optional<String> truststore;
    @ConfigProperty(name = P + "ssl-truststore-type")
    Optional<String> truststoreType;
    @ConfigProperty(name = P + "ssl-truststore-password")
    Optional<String> truststorePassword;
    @ConfigProperty(name = P + "ssl-truststore-password-file")
    Optional<String> truststorePasswordFile;
    @ConfigProperty(name = P + "ssl-keystore-location")
    Optional<String> keystore;
    @ConfigProperty(name = P + "ssl-keystore-type")
    Optional<String> keystoreType;
    @ConfigProperty(name = P + "ssl-keystore-password")
    Optional<String> keystorePassword;
    @ConfigProperty(name = P + "ssl-keystore-password-file")
    Optional<String> keystorePasswordFile;
    @ConfigProperty(name = P + "ssl-key-password")
    Optional<String> keyPassword;
    @ConfigProperty(name = P + "ssl-key-password-file")
    Optional<String> keyPasswordFile;

    void onComponentAdd(@Observes ComponentAddEvent event) {
        if (event.getComponent() instanceof KafkaComponent kafka) {
            apply(kafka.getConfiguration());
        }
    }

    void apply(KafkaConfiguration c) {
        securityProtocol.ifPresent(c::setSecurityProtocol);
        saslMechanism.ifPresent(c::setSaslMechanism);
        Secrets.read(saslJaasConfig, saslJaasConfigFile).ifPresent(c::setSaslJaasConfig);
        truststore.ifPresent(c::setSslTruststoreLocation);
        truststoreType.ifPresent(c::setSslTruststoreType);
        Secrets.read(truststorePassword, truststorePasswordFile).ifPresent(c::setSslTruststorePassword);
        keystore.ifPresent(c::setSslKeystoreLocation);
        keystoreType.ifPresent(c::setSslKeystoreType);
        Secrets.read(keystorePassword, keystorePasswordFile).ifPresent(c::setSslKeystorePassword);
        Secrets.read(keyPassword, keyPasswordFile).ifPresent(c::setSslKeyPassword);
        LOG.infof("Kafka security: %s%s", c.getSecurityProtocol(),
                c.getSecurityProtocol().startsWith("SASL") ? " (" + c.getSaslMechanism() + ")" : "");
    }
}
