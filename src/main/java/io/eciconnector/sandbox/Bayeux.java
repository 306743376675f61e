package io.eciconnector.sandbox;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.vertx.core.Vertx;

/**
 * The org's streaming API (/cometd/{version}): the Bayeux protocol over HTTP long-polling, as Salesforce serves
 * platform events to CometD clients such as camel-salesforce. Handshake, subscribe (with the replay extension),
 * connect held until an event arrives or the timeout passes, unsubscribe, disconnect. Events keep a replayId; a
 * subscription with replayId -2 gets the stored ones again, -1 only new ones.
 */
final class Bayeux {

    private static final Logger LOG = Logger.getLogger(Bayeux.class);
    static final long CONNECT_TIMEOUT_MS = 20_000;

    private final ObjectMapper mapper;
    private final Vertx vertx;
    private final Map<String, Client> clients = new ConcurrentHashMap<>();
    private final List<ObjectNode> log = new ArrayList<>();
    private final AtomicLong replayIds = new AtomicLong();

    private static final class Client {
        final Set<String> subscriptions = ConcurrentHashMap.newKeySet();
        final Deque<ObjectNode> queue = new ArrayDeque<>();
        SandboxExchange waiting;
        ArrayNode waitingReplies;
        long timer = -1;
        boolean connected;
    }

    Bayeux(ObjectMapper mapper, Vertx vertx) {
        this.mapper = mapper;
        this.vertx = vertx;
    }

    /** Publishes an event on a channel (/event/Name) to its subscribers; answers its replayId. */
    synchronized long publish(String channel, Map<String, Object> payload) {
        long replayId = replayIds.incrementAndGet();
        ObjectNode message = mapper.createObjectNode();
        message.put("channel", channel);
        ObjectNode data = message.putObject("data");
        data.put("schema", "sandbox-" + channel.replace('/', '-'));
        data.set("payload", mapper.valueToTree(payload));
        data.putObject("event").put("replayId", replayId);
        log.add(message);
        for (Client c : clients.values()) {
            if (c.subscriptions.contains(channel)) {
                c.queue.add(message.deepCopy());
                flush(c);
            }
        }
        return replayId;
    }

    void handle(SandboxExchange ex) {
        SandboxRoutes.readBody(ex, body -> {
            JsonNode messages;
            try {
                messages = mapper.readTree(body.getBytes());
            } catch (IOException e) {
                ex.json(400, List.of(Map.of("successful", false, "error", "400::bad JSON")));
                return;
            }
            if (messages.isObject()) {
                messages = mapper.createArrayNode().add(messages);
            }
            process(ex, messages);
        });
    }

    private synchronized void process(SandboxExchange ex, JsonNode messages) {
        ArrayNode replies = mapper.createArrayNode();
        Client holding = null;
        for (JsonNode m : messages) {
            String channel = m.path("channel").asText();
            ObjectNode reply = replies.addObject();
            reply.put("channel", channel);
            if (m.has("id")) {
                reply.set("id", m.get("id"));
            }
            if (channel.equals("/meta/handshake")) {
                String id = UUID.randomUUID().toString().replace("-", "");
                clients.put(id, new Client());
                reply.put("version", "1.0").put("minimumVersion", "1.0").put("clientId", id).put("successful", true);
                reply.putArray("supportedConnectionTypes").add("long-polling");
                reply.putObject("advice").put("reconnect", "retry").put("interval", 0).put("timeout", CONNECT_TIMEOUT_MS);
                reply.putObject("ext").put("replay", true).put("payload.format", true);
                continue;
            }
            String clientId = m.path("clientId").asText();
            Client client = clients.get(clientId);
            reply.put("clientId", clientId);
            if (client == null) {
                reply.put("successful", false).put("error", "403::Unknown client");
                reply.putObject("advice").put("reconnect", "handshake").put("interval", 0);
                continue;
            }
            switch (channel) {
                case "/meta/subscribe" -> {
                    String subscription = m.path("subscription").asText();
                    client.subscriptions.add(subscription);
                    long from = m.path("ext").path("replay").path(subscription).asLong(-1);
                    if (from != -1) {
                        for (ObjectNode e : log) {
                            long id = e.path("data").path("event").path("replayId").asLong();
                            if (e.path("channel").asText().equals(subscription) && (from == -2 || id > from)) {
                                client.queue.add(e.deepCopy());
                            }
                        }
                    }
                    reply.put("subscription", subscription).put("successful", true);
                    LOG.debugf("Bayeux client %s subscribed to %s", clientId, subscription);
                }
                case "/meta/unsubscribe" -> {
                    client.subscriptions.remove(m.path("subscription").asText());
                    reply.put("subscription", m.path("subscription").asText()).put("successful", true);
                }
                case "/meta/disconnect" -> {
                    clients.remove(clientId);
                    reply.put("successful", true);
                }
                case "/meta/connect" -> {
                    reply.put("successful", true);
                    reply.putObject("advice").put("reconnect", "retry").put("interval", 0).put("timeout", CONNECT_TIMEOUT_MS);
                    if (client.connected && client.queue.isEmpty()) {
                        holding = client;
                    }
                    client.connected = true;
                }
                default -> reply.put("successful", false).put("error", "400::unknown channel " + channel);
            }
        }
        if (holding != null) {
            Client c = holding;
            if (c.waiting != null) {
                send(c); // a new connect replaces a held one
            }
            c.waiting = ex;
            c.waitingReplies = replies;
            c.timer = vertx.setTimer(CONNECT_TIMEOUT_MS, t -> {
                synchronized (Bayeux.this) {
                    c.timer = -1;
                    send(c);
                }
            });
            return;
        }
        for (Client c : clients.values()) {
            if (c.waiting == null && !c.queue.isEmpty() && isFor(c, messages)) {
                while (!c.queue.isEmpty()) {
                    replies.add(c.queue.poll());
                }
            }
        }
        ex.json(200, replies);
    }

    private boolean isFor(Client c, JsonNode messages) {
        for (JsonNode m : messages) {
            if (clients.get(m.path("clientId").asText()) == c) {
                return true;
            }
        }
        return false;
    }

    private void flush(Client c) {
        if (c.waiting != null) {
            if (c.timer >= 0) {
                vertx.cancelTimer(c.timer);
                c.timer = -1;
            }
            send(c);
        }
    }

    private void send(Client c) {
        SandboxExchange ex = c.waiting;
        ArrayNode replies = c.waitingReplies;
        c.waiting = null;
        c.waitingReplies = null;
        while (!c.queue.isEmpty()) {
            replies.add(c.queue.poll());
        }
        ex.json(200, replies);
    }

    synchronized void reset() {
        clients.clear();
        log.clear();
    }
}
