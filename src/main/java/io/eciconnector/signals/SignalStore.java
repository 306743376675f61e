package io.eciconnector.signals;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.eciconnector.ledger.Ledger;

/**
 * The signal tables of the ledger database: contacts, the records as they came, and the outbox of items to send.
 * Every method is one transaction unless it takes a connection.
 */
@ApplicationScoped
public class SignalStore {

    /** A contact's status once its conversation's records and items were forgotten (routes/signals-retention.yaml). */
    public static final String FORGOTTEN = "FORGOTTEN";

    /** The statuses a contact has before its conversation is forgotten. */
    static final List<String> LIVE_STATUSES = List.of("STARTED", "COMPLETED", "FAILED");

    static final String ITEM_COLUMNS = "id, vendor_call_key, kind, item_key, start_time, payload, record_id, state, "
            + "attempts, next_attempt_at, received_at";

    @Inject
    Ledger ledger;

    public <T> T inTransaction(Ledger.Work<T> work) {
        return ledger.inTransaction(work);
    }

    /** A work that changes only the ledger, committed with the works other threads ask at the same time ({@link Ledger#inGroup}). */
    public <T> T inGroup(Ledger.Work<T> work) {
        return ledger.inGroup(work);
    }

    /** How many times {@link #storing} runs a transaction that met a row another writer stored meanwhile. */
    static final int STORE_ATTEMPTS = 3;

    /**
     * One transaction that stores what a record or file brings, run again (up to {@value #STORE_ATTEMPTS} times in
     * all) when it met a unique key another writer inserted between its check and its insert (SQLState 23505: the
     * contact's stream record and its post-call file at once, two replicas, a redelivery): the next pass finds that
     * row and goes on from it. Any other failure, or the last attempt's, is thrown.
     */
    public <T> T storing(Ledger.Work<T> work) {
        for (int attempt = 1;; attempt++) {
            try {
                return ledger.inGroup(work); // may share its commit with other threads' changes (Ledger#inGroup)
            } catch (Ledger.LedgerException e) {
                if (attempt >= STORE_ATTEMPTS || !(e.getCause() instanceof SQLException s)
                        || !"23505".equals(s.getSQLState())) {
                    throw e;
                }
            }
        }
    }

    // ------------------------------------------------------------------ contacts

    public Optional<SignalContact> contact(Connection c, String contactId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT contact_id, vendor_call_key, started_at, start_basis, "
                + "status, agent_user_id FROM signal_contact WHERE contact_id = ?")) {
            ps.setString(1, contactId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new SignalContact(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getString(4),
                        rs.getString(5), rs.getString(6)));
            }
        }
    }

    public Optional<SignalContact> contact(String contactId) {
        return inTransaction(c -> contact(c, contactId));
    }

    /** The contact whose signals go to this key (the first contact of a conversation). */
    public Optional<SignalContact> contactByKey(String vendorCallKey) {
        return inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT contact_id FROM signal_contact WHERE "
                    + "vendor_call_key = ? ORDER BY created_at")) {
                ps.setString(1, vendorCallKey);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? contact(c, rs.getString(1)) : Optional.<SignalContact>empty();
                }
            }
        });
    }

    /** Stores a contact seen for the first time; false when another record stored it meanwhile. */
    public boolean insertContact(Connection c, SignalContact k, long now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO signal_contact (contact_id, vendor_call_key, "
                + "started_at, start_basis, status, agent_user_id, created_at, updated_at) SELECT ?, ?, ?, ?, ?, ?, ?, ? "
                + "WHERE NOT EXISTS (SELECT 1 FROM signal_contact WHERE contact_id = ?)")) {
            ps.setString(1, k.contactId());
            ps.setString(2, k.vendorCallKey());
            ps.setLong(3, k.startedAt());
            ps.setString(4, k.startBasis());
            ps.setString(5, k.status());
            ps.setString(6, k.agentUserId());
            ps.setLong(7, now);
            ps.setLong(8, now);
            ps.setString(9, k.contactId());
            return ps.executeUpdate() == 1;
        }
    }

    public void updateContact(Connection c, String contactId, String status, String agentUserId, long now)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE signal_contact SET status = COALESCE(?, status), "
                + "agent_user_id = COALESCE(?, agent_user_id), updated_at = ? WHERE contact_id = ?")) {
            ps.setString(1, status);
            ps.setString(2, agentUserId);
            ps.setLong(3, now);
            ps.setString(4, contactId);
            ps.executeUpdate();
        }
    }

    /** How the stream named the contact's agent (ARN and username, a line each), when it did. */
    public Optional<String> agentRef(String contactId) {
        return inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT agent_ref FROM signal_contact WHERE contact_id = ?")) {
                ps.setString(1, contactId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.<String>empty();
                }
            }
        });
    }

    public void setAgentRef(Connection c, String contactId, String agentRef) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE signal_contact SET agent_ref = ? WHERE contact_id = ?")) {
            ps.setString(1, trim(agentRef, 1024));
            ps.setString(2, contactId);
            ps.executeUpdate();
        }
    }

    // ------------------------------------------------------------------ records and items

    public long insertRecord(Connection c, String source, String ref, String contactId, long now, String body)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO signal_record (source, ref, contact_id, "
                + "received_at, body) VALUES (?, ?, ?, ?, ?)", new String[] { "id" })) {
            ps.setString(1, trim(source, 512));
            ps.setString(2, trim(ref, 512));
            ps.setString(3, contactId);
            ps.setLong(4, now);
            ps.setString(5, body);
            ps.executeUpdate();
            try (ResultSet keys = ps.getGeneratedKeys()) {
                keys.next();
                return keys.getLong(1);
            }
        }
    }

    /** What became of a record beyond being stored (segments refused, a file refused): shown with its contact. */
    public void recordOutcome(Connection c, long recordId, String outcome) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE signal_record SET outcome = ? WHERE id = ?")) {
            ps.setString(1, trim(outcome, 1000));
            ps.setLong(2, recordId);
            ps.executeUpdate();
        }
    }

    /**
     * A record refused whole (nothing of it stored but the fact): its source, contact and reason, without its body,
     * in signal_refusal (dropped by time, {@link #deleteRefusals}).
     */
    public void refusedRecord(String source, String contactId, String outcome, long now) {
        inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO signal_refusal (source, contact_id, received_at, "
                    + "outcome) VALUES (?, ?, ?, ?)")) {
                ps.setString(1, trim(source, 512));
                ps.setString(2, trim(contactId, 255));
                ps.setLong(3, now);
                ps.setString(4, trim(outcome, 1000));
                return ps.executeUpdate();
            }
        });
    }

    /**
     * One page, one transaction: deletes up to {@code limit} refusals received before the cutoff, oldest first (index
     * ix_signal_refusal_received), whether or not their contact is known; answers how many.
     */
    public int deleteRefusals(long cutoff, int limit) {
        return inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM signal_refusal WHERE id IN (" + OLDEST_REFUSALS
                    + ")")) {
                ps.setLong(1, cutoff);
                ps.setInt(2, Math.max(1, limit));
                return ps.executeUpdate();
            }
        });
    }

    /** The oldest refusals received before a cutoff, one page (index ix_signal_refusal_received). */
    static final String OLDEST_REFUSALS = "SELECT id FROM signal_refusal WHERE received_at < ? ORDER BY received_at "
            + "FETCH FIRST ? ROWS ONLY";

    /** At most this many records of a key are shown (the oldest first). */
    static final int RECORDS_SHOWN = 1000;

    /**
     * The records taken in for the contacts of a key, and the records refused for them, newest last: source,
     * position, time, and what became of them.
     */
    public List<Map<String, Object>> records(String vendorCallKey) {
        return inTransaction(c -> {
            List<Map<String, Object>> out = new ArrayList<>();
            // the records and the refusals in the order they came (a record before a refusal of the same ms)
            try (PreparedStatement ps = c.prepareStatement("SELECT source, ref, contact_id, received_at, outcome, "
                    + "0 AS part, id FROM signal_record WHERE " + OF_KEY + " UNION ALL SELECT source, NULL, contact_id, "
                    + "received_at, outcome, 1, id FROM signal_refusal WHERE " + OF_KEY
                    + " ORDER BY received_at, part, id FETCH FIRST " + RECORDS_SHOWN + " ROWS ONLY")) {
                for (int i = 1; i <= 4; i++) {
                    ps.setString(i, vendorCallKey);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Map<String, Object> m = new LinkedHashMap<>();
                        m.put("source", rs.getString(1));
                        m.put("position", rs.getString(2));
                        m.put("contactId", rs.getString(3));
                        m.put("receivedAt", rs.getLong(4));
                        m.put("outcome", rs.getString(5) == null ? "stored" : rs.getString(5));
                        out.add(m);
                    }
                }
            }
            return out;
        });
    }

    /** The rows of a key's contacts, or of a contact id equal to the key (a contact never known); two parameters. */
    private static final String OF_KEY = "(contact_id IN (SELECT contact_id FROM signal_contact WHERE "
            + "vendor_call_key = ?) OR contact_id = ?)";

    /**
     * Moves a contact's start by {@code delta} ms and its waiting items with it, unless something of the contact was
     * already claimed or sent (then its start stays, so all its signals count from one start). True when moved.
     */
    public boolean rebase(Connection c, String contactId, long delta, String basis, long now) throws SQLException {
        List<Long> move = new ArrayList<>();
        List<String> payloads = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT o.id, o.state, o.attempts, o.payload FROM signal_outbox o "
                + "JOIN signal_record r ON o.record_id = r.id WHERE r.contact_id = ?")) {
            ps.setString(1, contactId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (!"PENDING".equals(rs.getString(2)) || rs.getInt(3) > 0) {
                        return false;
                    }
                    move.add(rs.getLong(1));
                    payloads.add(rs.getString(4));
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE signal_outbox SET start_time = start_time + ?, payload = ? "
                + "WHERE id = ? AND state = 'PENDING' AND attempts = 0")) {
            for (int i = 0; i < move.size(); i++) {
                ps.setLong(1, delta);
                ps.setString(2, shift(payloads.get(i), delta));
                ps.setLong(3, move.get(i));
                ps.addBatch();
            }
            ps.executeBatch();
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE signal_contact SET started_at = started_at + ?, "
                + "start_basis = ?, updated_at = ? WHERE contact_id = ?")) {
            ps.setLong(1, delta);
            ps.setString(2, basis);
            ps.setLong(3, now);
            ps.setString(4, contactId);
            ps.executeUpdate();
        }
        return true;
    }

    /** An item's payload with every startTime / endTime moved (an event, a message, or a post-call body's events). */
    static String shift(String payload, long delta) {
        try {
            com.fasterxml.jackson.databind.node.ObjectNode n = (com.fasterxml.jackson.databind.node.ObjectNode) JSON
                    .readTree(payload);
            shiftTimes(n, delta);
            for (com.fasterxml.jackson.databind.JsonNode e : n.path("events")) {
                shiftTimes((com.fasterxml.jackson.databind.node.ObjectNode) e, delta);
            }
            return n.toString();
        } catch (java.io.IOException | ClassCastException e) {
            throw new IllegalStateException("an outbox payload is not the JSON object it was stored as", e);
        }
    }

    private static void shiftTimes(com.fasterxml.jackson.databind.node.ObjectNode n, long delta) {
        for (String f : new String[] { "startTime", "endTime" }) {
            if (n.path(f).canConvertToLong()) {
                n.put(f, n.get(f).asLong() + delta);
            }
        }
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    public Optional<String> recordBody(long recordId) {
        return inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT body FROM signal_record WHERE id = ?")) {
                ps.setLong(1, recordId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getString(1)) : Optional.<String>empty();
                }
            }
        });
    }

    /** Inserts the items not stored yet (same call, kind and key); answers how many were new. */
    public int insertItems(Connection c, List<OutboxItem> items, Long recordId, long now, long readyAt)
            throws SQLException {
        return insertItems(c, items, recordId, now, readyAt, null);
    }

    /**
     * Inserts the items not stored yet (same call, kind and key); answers how many were new and adds them, as stored
     * (with their ids), to {@code stored} when given: what the sender is told of once the transaction committed.
     */
    public int insertItems(Connection c, List<OutboxItem> items, Long recordId, long now, long readyAt,
            List<OutboxItem> stored) throws SQLException {
        int added = 0;
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO signal_outbox (vendor_call_key, kind, item_key, "
                + "start_time, payload, record_id, state, attempts, next_attempt_at, received_at) "
                + "SELECT ?, ?, ?, ?, ?, ?, 'PENDING', 0, ?, ? WHERE NOT EXISTS (SELECT 1 FROM signal_outbox "
                + "WHERE vendor_call_key = ? AND kind = ? AND item_key = ?)", new String[] { "id" })) {
            for (OutboxItem i : items) {
                ps.setString(1, i.vendorCallKey());
                ps.setString(2, i.kind().name());
                ps.setString(3, trim(i.itemKey(), 512));
                ps.setLong(4, i.startTime());
                ps.setString(5, i.payload());
                if (recordId == null) {
                    ps.setNull(6, java.sql.Types.BIGINT);
                } else {
                    ps.setLong(6, recordId);
                }
                ps.setLong(7, readyAt);
                ps.setLong(8, now);
                ps.setString(9, i.vendorCallKey());
                ps.setString(10, i.kind().name());
                ps.setString(11, trim(i.itemKey(), 512));
                int n = ps.executeUpdate();
                added += n;
                if (n == 1 && stored != null) {
                    try (ResultSet keys = ps.getGeneratedKeys()) {
                        if (keys.next()) {
                            stored.add(new OutboxItem(keys.getLong(1), i.vendorCallKey(), i.kind(),
                                    trim(i.itemKey(), 512), i.startTime(), i.payload(), recordId, "PENDING", 0, readyAt,
                                    now));
                        }
                    }
                }
            }
        }
        return added;
    }

    /** Post-call items of a call that were waiting for the contact to complete: ready now. */
    public int releasePostCall(Connection c, String vendorCallKey, long now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE signal_outbox SET next_attempt_at = ? WHERE "
                + "vendor_call_key = ? AND kind = 'POSTCALL' AND state = 'PENDING' AND attempts = 0 AND next_attempt_at > ?")) {
            ps.setLong(1, now);
            ps.setString(2, vendorCallKey);
            ps.setLong(3, now);
            return ps.executeUpdate();
        }
    }

    // ------------------------------------------------------------------ the sender's view

    /**
     * True while a call's post-call events must wait: a realtime event or transcript message of the call is not
     * finished (PENDING or SENDING), or (unless {@code waitedOut}) a contact of the conversation has not completed.
     */
    public boolean holdsPostCall(String vendorCallKey, boolean waitedOut) {
        return inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM signal_outbox WHERE vendor_call_key = ? AND "
                    + "kind IN ('EVENT', 'MESSAGE') AND state IN ('PENDING', 'SENDING')")) {
                ps.setString(1, vendorCallKey);
                ps.setMaxRows(1);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        return true;
                    }
                }
            }
            if (waitedOut) {
                return false;
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM signal_contact WHERE vendor_call_key = ? AND "
                    + "status NOT IN ('COMPLETED', 'FAILED', 'FORGOTTEN')")) {
                ps.setString(1, vendorCallKey);
                ps.setMaxRows(1);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        });
    }

    /** The start basis of the contact a record belongs to, or null. */
    public String startBasisOfRecord(long recordId) {
        return inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT k.start_basis FROM signal_record r JOIN signal_contact k "
                    + "ON k.contact_id = r.contact_id WHERE r.id = ?")) {
                ps.setLong(1, recordId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getString(1) : null;
                }
            }
        });
    }

    /** Unfinished items (PENDING or SENDING) of a kind, by call, in sending order. */
    public Map<String, List<OutboxItem>> unfinished(OutboxItem.Kind kind, int limit) {
        return inTransaction(c -> {
            Map<String, List<OutboxItem>> byCall = new LinkedHashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT " + ITEM_COLUMNS + " FROM signal_outbox WHERE "
                    + "kind = ? AND state IN ('PENDING', 'SENDING') ORDER BY id")) {
                ps.setString(1, kind.name());
                ps.setMaxRows(limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        OutboxItem i = item(rs);
                        byCall.computeIfAbsent(i.vendorCallKey(), k -> new ArrayList<>()).add(i);
                    }
                }
            }
            return byCall;
        });
    }

    /** Claims the items for this replica; all or none (false when another replica took one first). */
    public boolean claim(Collection<OutboxItem> items, String instance, long now) {
        try {
            return inTransaction(c -> {
                try (PreparedStatement ps = c.prepareStatement("UPDATE signal_outbox SET state = 'SENDING', "
                        + "claimed_by = ?, claimed_at = ?, attempts = attempts + 1 WHERE id = ? AND state = 'PENDING'")) {
                    for (OutboxItem i : items) {
                        ps.setString(1, instance);
                        ps.setLong(2, now);
                        ps.setLong(3, i.id());
                        if (ps.executeUpdate() != 1) {
                            throw new SQLException("claimed elsewhere", "CLAIM");
                        }
                    }
                }
                return true;
            });
        } catch (Ledger.LedgerException e) {
            if (e.getCause() instanceof SQLException s && "CLAIM".equals(s.getSQLState())) {
                return false;
            }
            throw e;
        }
    }

    /**
     * Claims groups of items for this replica in one transaction; each group is one call's (same kind), in outbox
     * order, and is claimed whole or not at all: only when it is exactly the call's unfinished items of that kind up to
     * its last one, all PENDING (nothing earlier of the call waits for a retry or is in flight elsewhere, and no other
     * replica took one first). Answers the claimed items by id as the outbox held them just before the claim (their
     * payload as stored now, their attempts before this one).
     */
    public Map<Long, OutboxItem> claimGroups(List<List<OutboxItem>> groups, String instance, long now) {
        if (groups.isEmpty()) {
            return Map.of();
        }
        return inGroup(c -> {
            Map<Long, OutboxItem> claimed = new java.util.HashMap<>();
            try (PreparedStatement look = c.prepareStatement("SELECT " + ITEM_COLUMNS + " FROM signal_outbox WHERE "
                    + "vendor_call_key = ? AND kind = ? AND state IN ('PENDING', 'SENDING') AND id <= ? ORDER BY id");
                    PreparedStatement take = c.prepareStatement("UPDATE signal_outbox SET state = 'SENDING', "
                            + "claimed_by = ?, claimed_at = ?, attempts = attempts + 1 WHERE id = ? AND state = 'PENDING'");
                    PreparedStatement undo = c.prepareStatement("UPDATE signal_outbox SET state = 'PENDING', "
                            + "claimed_by = NULL, claimed_at = NULL, attempts = attempts - 1 WHERE id = ? AND "
                            + "state = 'SENDING' AND claimed_by = ? AND claimed_at = ?")) {
                for (List<OutboxItem> group : groups) {
                    OutboxItem first = group.get(0);
                    java.util.Set<Long> ids = new java.util.HashSet<>();
                    long last = Long.MIN_VALUE;
                    for (OutboxItem i : group) {
                        ids.add(i.id());
                        last = Math.max(last, i.id());
                    }
                    look.setString(1, first.vendorCallKey());
                    look.setString(2, first.kind().name());
                    look.setLong(3, last);
                    List<OutboxItem> rows = new ArrayList<>();
                    try (ResultSet rs = look.executeQuery()) {
                        while (rs.next()) {
                            rows.add(item(rs));
                        }
                    }
                    if (rows.size() != ids.size()
                            || !rows.stream().allMatch(r -> ids.contains(r.id()) && "PENDING".equals(r.state()))) {
                        continue;
                    }
                    List<Long> taken = new ArrayList<>();
                    for (OutboxItem r : rows) {
                        take.setString(1, instance);
                        take.setLong(2, now);
                        take.setLong(3, r.id());
                        if (take.executeUpdate() != 1) {
                            break;
                        }
                        taken.add(r.id());
                    }
                    if (taken.size() != rows.size()) {
                        for (long id : taken) { // another replica took one meanwhile: the call is theirs
                            undo.setLong(1, id);
                            undo.setString(2, instance);
                            undo.setLong(3, now);
                            undo.executeUpdate();
                        }
                        continue;
                    }
                    for (OutboxItem r : rows) {
                        claimed.put(r.id(), r);
                    }
                }
            }
            return claimed;
        });
    }

    public void sent(Collection<OutboxItem> items, int status, long now) {
        finish(items, "SENT", status, null, now, now);
    }

    public void retry(Collection<OutboxItem> items, int status, String error, long nextAttemptAt, long now) {
        finish(items, "PENDING", status, error, nextAttemptAt, now);
    }

    public void dead(Collection<OutboxItem> items, int status, String error, long now) {
        finish(items, "DEAD", status, error, now, now);
    }

    /** {@link #sent}, {@link #retry}, {@link #dead} within a transaction the caller holds (outcomes committed together). */
    public void finish(Connection c, Collection<OutboxItem> items, String state, int status, String error, long next,
            long now) throws SQLException {
        finishIn(c, items, state, status, error, next, now);
    }

    private void finish(Collection<OutboxItem> items, String state, int status, String error, long next, long now) {
        if (items.isEmpty()) {
            return;
        }
        inTransaction(c -> {
            finishIn(c, items, state, status, error, next, now);
            return null;
        });
    }

    private static void finishIn(Connection c, Collection<OutboxItem> items, String state, int status, String error,
            long next, long now) throws SQLException {
        if (items.isEmpty()) {
            return;
        }
        {
            try (PreparedStatement ps = c.prepareStatement("UPDATE signal_outbox SET state = ?, last_status = ?, "
                    + "last_error = ?, next_attempt_at = ?, sent_at = ?, claimed_by = NULL WHERE id = ?")) {
                for (OutboxItem i : items) {
                    ps.setString(1, state);
                    ps.setInt(2, status);
                    ps.setString(3, trim(error, 4000));
                    ps.setLong(4, next);
                    if ("SENT".equals(state)) {
                        ps.setLong(5, now);
                    } else {
                        ps.setNull(5, java.sql.Types.BIGINT);
                    }
                    ps.setLong(6, i.id());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        }
    }

    /** Items claimed by a replica that died (older than the lease) go back to PENDING. */
    public int recoverAbandoned(long claimedBefore) {
        return inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE signal_outbox SET state = 'PENDING', claimed_by = "
                    + "NULL, last_error = 'claim expired (the replica sending it stopped)' WHERE state = 'SENDING' AND "
                    + "claimed_at < ?")) {
                ps.setLong(1, claimedBefore);
                return ps.executeUpdate();
            }
        });
    }

    /** Dead items of a call back to PENDING with fresh attempts (after the cause was fixed). */
    public int replay(String vendorCallKey, long now) {
        return inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE signal_outbox SET state = 'PENDING', attempts = 0, "
                    + "next_attempt_at = ?, last_error = NULL WHERE vendor_call_key = ? AND state = 'DEAD'")) {
                ps.setLong(1, now);
                ps.setString(2, vendorCallKey);
                return ps.executeUpdate();
            }
        });
    }

    /** Every item of a call with its state, for "what happened to this call's signals". */
    public List<Map<String, Object>> items(String vendorCallKey) {
        return inTransaction(c -> {
            List<Map<String, Object>> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT kind, item_key, start_time, state, attempts, "
                    + "received_at, sent_at, last_status, last_error FROM signal_outbox WHERE vendor_call_key = ? "
                    + "ORDER BY id")) {
                ps.setString(1, vendorCallKey);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Map<String, Object> m = new LinkedHashMap<>();
                        m.put("kind", rs.getString(1));
                        m.put("itemKey", rs.getString(2));
                        m.put("startTime", rs.getLong(3));
                        m.put("state", rs.getString(4));
                        m.put("attempts", rs.getInt(5));
                        m.put("receivedAt", rs.getLong(6));
                        long sent = rs.getLong(7);
                        m.put("sentAt", rs.wasNull() ? null : sent);
                        int status = rs.getInt(8);
                        m.put("lastStatus", rs.wasNull() ? null : status);
                        m.put("lastError", rs.getString(9));
                        out.add(m);
                    }
                }
            }
            return out;
        });
    }

    /** Items by kind and state (metrics, console). */
    public Map<String, Long> counts() {
        return inTransaction(c -> {
            Map<String, Long> out = new LinkedHashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT kind, state, COUNT(*) FROM signal_outbox GROUP BY "
                    + "kind, state ORDER BY kind, state"); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1) + "." + rs.getString(2), rs.getLong(3));
                }
            }
            return out;
        });
    }

    // ------------------------------------------------------------------ retention

    /** Where a retention pass stands in one status: after the contact created at {@code createdAt} with this id. */
    public record Cursor(String status, long createdAt, String contactId) {

        /** The start of a status. */
        public static Cursor first(String status) {
            return new Cursor(status, Long.MIN_VALUE, "");
        }
    }

    /** The oldest contacts of a status created before a cutoff, after a cursor: read in ix_signal_contact_status's order. */
    static final String OLDEST_OF_STATUS = "SELECT contact_id, vendor_call_key, created_at FROM signal_contact WHERE "
            + "status = ? AND created_at < ? AND created_at >= ? AND (created_at > ? OR contact_id > ?) "
            + "ORDER BY status, created_at, contact_id";

    /** One page of a retention pass: conversations forgotten, contacts examined, and where the next page starts. */
    public record ForgetPage(int forgotten, int examined, Optional<Cursor> next) {
    }

    /**
     * One page of a retention pass, one transaction: the next {@code limit} contacts of the cursor's status created
     * before {@code cutoff}, oldest first (index ix_signal_contact_status). Each one's conversation (every contact of
     * its vendorCallKey) is forgotten when nothing of it is newer than the cutoff (no contact created or changed, no
     * record received, no item received or sent since) and every item of it was SENT: its items and records are
     * deleted, its contacts marked {@value #FORGOTTEN} without their agent reference. A conversation with an item
     * unsent, DEAD or in flight stays as it is.
     */
    public ForgetPage forgetSent(Cursor from, long cutoff, int limit, long now) {
        return inTransaction(c -> {
            List<String[]> contacts = new ArrayList<>(); // contact_id, vendor_call_key, created_at
            try (PreparedStatement ps = c.prepareStatement(OLDEST_OF_STATUS)) {
                ps.setString(1, from.status());
                ps.setLong(2, cutoff);
                ps.setLong(3, from.createdAt());
                ps.setLong(4, from.createdAt());
                ps.setString(5, from.contactId());
                ps.setMaxRows(limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        contacts.add(new String[] { rs.getString(1), rs.getString(2), Long.toString(rs.getLong(3)) });
                    }
                }
            }
            java.util.Set<String> seen = new java.util.HashSet<>();
            int forgotten = 0;
            for (String[] k : contacts) {
                if (seen.add(k[1]) && finishedBefore(c, k[1], cutoff)) {
                    forget(c, k[1], cutoff, now);
                    forgotten++;
                }
            }
            Optional<Cursor> next = contacts.size() < limit ? Optional.empty()
                    : Optional.of(new Cursor(from.status(), Long.parseLong(contacts.get(contacts.size() - 1)[2]),
                            contacts.get(contacts.size() - 1)[0]));
            return new ForgetPage(forgotten, contacts.size(), next);
        });
    }

    /** True when nothing of the conversation is newer than the cutoff and every item of it was sent. */
    private static boolean finishedBefore(Connection c, String key, long cutoff) throws SQLException {
        return !exists(c, "SELECT 1 FROM signal_contact WHERE vendor_call_key = ? AND status <> 'FORGOTTEN' AND "
                + "(created_at >= ? OR updated_at >= ?)", key, cutoff, cutoff)
                && !exists(c, "SELECT 1 FROM signal_outbox WHERE vendor_call_key = ? AND (state <> 'SENT' OR sent_at IS "
                        + "NULL OR sent_at >= ? OR received_at >= ?)", key, cutoff, cutoff)
                && !exists(c, "SELECT 1 FROM signal_record r JOIN signal_contact k ON k.contact_id = r.contact_id WHERE "
                        + "k.vendor_call_key = ? AND r.received_at >= ?", key, cutoff);
    }

    private static boolean exists(Connection c, String sql, String key, long... times) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, key);
            for (int i = 0; i < times.length; i++) {
                ps.setLong(i + 2, times[i]);
            }
            ps.setMaxRows(1);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static void forget(Connection c, String key, long cutoff, long now) throws SQLException {
        try (PreparedStatement items = c.prepareStatement("DELETE FROM signal_outbox WHERE vendor_call_key = ? AND "
                + "state = 'SENT' AND sent_at < ?");
                PreparedStatement records = c.prepareStatement("DELETE FROM signal_record WHERE received_at < ? AND "
                        + "contact_id IN (SELECT contact_id FROM signal_contact WHERE vendor_call_key = ?)");
                PreparedStatement contacts = c.prepareStatement("UPDATE signal_contact SET status = 'FORGOTTEN', "
                        + "agent_ref = NULL, updated_at = ? WHERE vendor_call_key = ? AND status <> 'FORGOTTEN'")) {
            items.setString(1, key);
            items.setLong(2, cutoff);
            items.executeUpdate();
            records.setLong(1, cutoff);
            records.setString(2, key);
            records.executeUpdate();
            contacts.setLong(1, now);
            contacts.setString(2, key);
            contacts.executeUpdate();
        }
    }

    /** The oldest forgotten contacts created before a cutoff, one page (index ix_signal_contact_status). */
    static final String OLDEST_FORGOTTEN = "SELECT contact_id FROM signal_contact WHERE status = 'FORGOTTEN' AND "
            + "created_at < ? ORDER BY status, created_at, contact_id FETCH FIRST ? ROWS ONLY";

    /**
     * One page, one transaction: deletes up to {@code limit} contacts of forgotten conversations created before the
     * cutoff, oldest first; answers how many. A forgotten conversation has no records or items left (see
     * {@link #forgetSent}), and a record of it that comes again is not stored, so nothing refers to them.
     */
    public int deleteForgottenContacts(long cutoff, int limit) {
        return inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM signal_contact WHERE status = 'FORGOTTEN' AND "
                    + "contact_id IN (" + OLDEST_FORGOTTEN + ")")) {
                ps.setLong(1, cutoff);
                ps.setInt(2, Math.max(1, limit));
                return ps.executeUpdate();
            }
        });
    }

    private static OutboxItem item(ResultSet rs) throws SQLException {
        long record = rs.getLong(7);
        Long recordId = rs.wasNull() ? null : record;
        return new OutboxItem(rs.getLong(1), rs.getString(2), OutboxItem.Kind.valueOf(rs.getString(3)),
                rs.getString(4), rs.getLong(5), rs.getString(6), recordId, rs.getString(8), rs.getInt(9),
                rs.getLong(10), rs.getLong(11));
    }

    private static String trim(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }
}
