package io.eciconnector.ingest;

import java.io.IOException;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.eciconnector.salesforce.ApiResponse;
import io.eciconnector.salesforce.SalesforceApi;
import io.eciconnector.salesforce.SalesforceSettings;

/**
 * The connector's CallCoachingMediaProvider record: found by ProviderName, created (IsActive=false, for the admin to
 * activate) when absent; its id is every call's mediaProviderId. Never creates two.
 */
@ApplicationScoped
public class ProviderRegistry {

    private static final Logger LOG = Logger.getLogger(ProviderRegistry.class);

    @Inject
    IngestSettings settings;

    @Inject
    SalesforceSettings salesforce;

    @Inject
    SalesforceApi api;

    @Inject
    ObjectMapper mapper;

    private volatile String providerId;

    /** Forgets the id, as a restart does: the next use looks the provider up again. */
    synchronized void forget() {
        providerId = null;
    }

    /** The provider id, registering the provider on first use. */
    public synchronized String providerId() throws IOException, InterruptedException {
        if (providerId != null) {
            return providerId;
        }
        if (settings.provider().id().isPresent()) {
            return providerId = settings.provider().id().get();
        }
        String name = settings.provider().name();
        java.util.List<JsonNode> records;
        try {
            records = api.queryAll("SELECT Id, IsActive FROM CallCoachingMediaProvider WHERE ProviderName = '"
                    + name.replace("\\", "\\\\").replace("'", "\\'") + "' ORDER BY CreatedDate LIMIT 1");
        } catch (SalesforceApi.QueryException e) {
            throw new IOException("cannot look up the CallCoachingMediaProvider: " + e.getMessage(), e);
        }
        if (!records.isEmpty()) {
            providerId = records.get(0).path("Id").asText();
            LOG.infof("Recording provider '%s' is registered as %s (active: %s)", name, providerId,
                    records.get(0).path("IsActive").asBoolean());
            return providerId;
        }
        ApiResponse created = api.postJson("/services/data/v" + salesforce.apiVersion()
                + "/sobjects/CallCoachingMediaProvider", mapper.writeValueAsString(java.util.Map.of("ProviderName", name,
                        "ProviderDescription", settings.provider().description(), "IsActive", false)));
        if (!created.ok()) {
            throw new IOException("cannot register the CallCoachingMediaProvider: " + created.describe());
        }
        providerId = mapper.readTree(created.body()).path("id").asText();
        LOG.infof("Registered recording provider '%s' as %s; an admin activates it in Einstein Conversation Insights setup",
                name, providerId);
        return providerId;
    }
}
