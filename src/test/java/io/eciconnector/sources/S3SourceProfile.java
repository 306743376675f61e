package io.eciconnector.sources;

import java.util.List;
import java.util.Map;

import io.eciconnector.ingest.FlowProfile;
import io.quarkus.test.junit.QuarkusTestProfile;

/** routes/ingest-s3.yaml on, for Amazon Connect's layout, against S3Proxy. */
public class S3SourceProfile implements QuarkusTestProfile {

    @Override
    public String getConfigProfile() {
        return "s3source";
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> m = FlowProfile.forSource("s3");
        m.put("eci.ingest.s3.bucket", S3ProxyResource.BUCKET);
        m.put("eci.ingest.s3.vendor", "amazon-connect");
        m.put("eci.ingest.s3.records-prefix", "ctr/");
        m.put("eci.ingest.s3.recordings-prefix", "connect/inst/CallRecordings/");
        m.put("eci.users.match-field.amazon-connect", "Amazon_Connect_Username__c");
        m.put("eci.sandbox.users[1].fields.Amazon_Connect_Username__c", "ben.connect");
        // post-call analysis files from the same bucket (Amazon Connect's Analysis/Voice/ layout)
        m.put("eci.signals.postcall-s3.enabled", "true");
        m.put("eci.signals.postcall-s3.bucket", S3ProxyResource.BUCKET);
        m.put("eci.signals.postcall-s3.poll-ms", "300");
        // two keys a listing request: a day folder of more files is listed page by page
        m.put("eci.signals.postcall-s3.page-size", "2");
        // the keys of objects no poll lists any more are forgotten each second here (once an hour by default)
        m.put("eci.signals.postcall-s3.forget-delay-ms", "500");
        m.put("eci.ledger.retention-check-ms", "1000");
        return m;
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(S3ProxyResource.class));
    }
}
