package io.eciconnector.ops;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;

import org.apache.camel.Exchange;
import org.apache.camel.Header;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.eciconnector.signals.SignalContact;
import io.eciconnector.signals.SignalSender;
import io.eciconnector.signals.SignalStore;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** The telephony outbox for operators: a call's items and their states, counts, replay of dead items. */
@ApplicationScoped
@Named("signalsApi")
@RegisterForReflection
public class SignalsApi {

    @Inject
    SignalStore store;

    @Inject
    SignalSender sender;

    @Inject
    ObjectMapper mapper;

    private String json(Exchange exchange, int status, Object body) throws JsonProcessingException {
        return JsonAnswer.of(exchange, mapper, status, body);
    }

    /**
     * GET /signals/calls/{vendorCallKey}: the contact (its start and the start's basis), every event, message and
     * post-call chunk with its state, and the records taken in with what became of them (segments or files refused).
     */
    public String describe(@Header("vendorCallKey") String key, Exchange exchange) throws JsonProcessingException {
        List<Map<String, Object>> items = store.items(key);
        List<Map<String, Object>> records = store.records(key);
        Optional<SignalContact> contact = store.contactByKey(key);
        if (items.isEmpty() && records.isEmpty() && contact.isEmpty()) {
            return json(exchange, 404, Map.of("vendorCallKey", key, "error", "nothing was taken in for this vendorCallKey"));
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("vendorCallKey", key);
        contact.ifPresent(k -> m.put("contact", contact(k)));
        m.put("items", items);
        m.put("records", records);
        return json(exchange, 200, m);
    }

    /** GET /signals/outbox: items by kind and state. */
    public String counts(Exchange exchange) throws JsonProcessingException {
        return json(exchange, 200, store.counts());
    }

    /** POST /signals/calls/{vendorCallKey}/replay: the call's dead items are sent again (after fixing the cause). */
    public String replay(@Header("vendorCallKey") String key, Exchange exchange) throws JsonProcessingException {
        int n = store.replay(key, System.currentTimeMillis());
        sender.wake();
        return json(exchange, n == 0 ? 404 : 202, Map.of("vendorCallKey", key, "replayed", n));
    }

    private static Map<String, Object> contact(SignalContact k) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("contactId", k.contactId());
        m.put("startedAt", k.startedAt());
        m.put("startBasis", k.startBasis());
        m.put("status", k.status());
        m.put("agentMatched", k.agentUserId() != null);
        return m;
    }
}
