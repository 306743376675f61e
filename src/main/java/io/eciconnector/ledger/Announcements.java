package io.eciconnector.ledger;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;

import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.seda.SedaEndpoint;
import org.jboss.logging.Logger;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Announces calls that changed state, after the ledger committed the change, on the in-memory channels the send
 * routes consume: {@value #CHECKED} (ready to be created, routes/create-voicecalls.yaml) and {@value #CREATED}
 * (ready for the upload, routes/upload-recordings.yaml). The ledger stays the source of truth: an announcement only
 * lets a call move on at once instead of waiting for a recovery pass, and one that is lost (a crash, a restart, a
 * channel with no route consuming it) is made again by the recovery routes from the ledger.
 * <p>
 * A call is announced once until it is taken (claimed, or found not claimable), so the recovery routes, which look
 * for calls nobody announced, never put a call in a batch twice. Announcing never fails the caller.
 */
@ApplicationScoped
@Named("announcements")
@RegisterForReflection
public class Announcements {

    private static final Logger LOG = Logger.getLogger(Announcements.class);
    public static final String CHECKED = "seda:calls-checked";
    public static final String CREATED = "seda:calls-created";
    /** A full channel holds the announcer back this long (backpressure), then the call is left to recovery. */
    static final long OFFER_TIMEOUT_MS = 30_000;
    /** An announcement not taken within this time is taken to be lost (made again by recovery). */
    static final Duration STALE = Duration.ofMinutes(5);

    @Inject
    CamelContext camel;

    @Inject
    ProducerTemplate producer;

    private final Map<CallKey, Instant> checked = new ConcurrentHashMap<>();
    private final Map<CallKey, Instant> created = new ConcurrentHashMap<>();

    /** The call is CHECKED in the ledger (committed): on to the create route. */
    public void checked(String provider, String externalId) {
        announce(CHECKED, checked, new CallKey(provider, externalId));
    }

    public void checked(CallKey key) {
        announce(CHECKED, checked, key);
    }

    /** The call is CREATED in the ledger (committed): on to the upload route. */
    public void created(String provider, String externalId) {
        announce(CREATED, created, new CallKey(provider, externalId));
    }

    public void created(CallKey key) {
        announce(CREATED, created, key);
    }

    /** The create route took these calls (claimed them, or found them gone): they may be announced again. */
    public void takenForCreate(Collection<CallKey> keys) {
        keys.forEach(checked::remove);
    }

    /** The upload route took this call. */
    public void takenForUpload(CallKey key) {
        created.remove(key);
    }

    /** Whether the call was announced to the create route and not taken yet (recently enough to still come). */
    public boolean pendingCreate(CallKey key) {
        return pending(checked, key);
    }

    public boolean pendingUpload(CallKey key) {
        return pending(created, key);
    }

    private static boolean pending(Map<CallKey, Instant> announced, CallKey key) {
        Instant at = announced.get(key);
        return at != null && at.plus(STALE).isAfter(Instant.now());
    }

    private void announce(String uri, Map<CallKey, Instant> announced, CallKey key) {
        Instant now = Instant.now();
        Instant before = announced.putIfAbsent(key, now);
        if (before != null) {
            if (before.plus(STALE).isAfter(now) || !announced.replace(key, before, now)) {
                return; // announced already and not taken yet
            }
        }
        try {
            SedaEndpoint channel = camel.getEndpoint(uri, SedaEndpoint.class);
            var queue = channel == null ? null : channel.getQueueReference();
            if (queue == null || !queue.hasConsumers()) {
                announced.remove(key); // no route consumes it (not loaded, or stopped): recovery takes the call
                return;
            }
            producer.sendBody(uri + "?blockWhenFull=true&offerTimeout=" + OFFER_TIMEOUT_MS, key);
        } catch (RuntimeException e) {
            announced.remove(key);
            LOG.debugf("Call %s not announced on %s (%s): the recovery route takes it", key, uri, e.getMessage());
        }
    }
}
