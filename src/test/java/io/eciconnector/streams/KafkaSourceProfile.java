package io.eciconnector.streams;

import java.util.List;
import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** routes/signals-kafka.yaml on (with the product's other routes) against an in-process KRaft broker. */
public class KafkaSourceProfile implements QuarkusTestProfile {

    @Override
    public String getConfigProfile() {
        return "kafkasource";
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> m = KinesisSourceProfile.forStream("kafka");
        m.put("eci.signals.kafka.group-id", "eci-test");
        m.put("quarkus.kafka.devservices.enabled", "false");
        m.put("quarkus.devservices.enabled", "false");
        m.put("quarkus.log.category.\"kafka\".level", "WARN");
        m.put("quarkus.log.category.\"org.apache.kafka\".level", "WARN");
        return m;
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(KafkaBrokerResource.class));
    }
}
