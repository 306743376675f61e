package io.eciconnector.streams;

import java.math.BigInteger;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.eciconnector.ledger.Ledger;

/**
 * Durable Kinesis positions in the ledger database (table kinesis_checkpoint): per stream and shard, the sequence
 * number of the last record handed on. Each save is its own committed transaction; a position never moves backwards
 * (sequence numbers of a shard grow), so a late or repeated save cannot make a restart read less than it must.
 */
@ApplicationScoped
public class KinesisCheckpoints {

    @Inject
    Ledger ledger;

    /** The sequence number to resume after, if the shard has been read before. */
    public Optional<String> position(String stream, String shardId) {
        return ledger.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT sequence_number FROM kinesis_checkpoint WHERE stream_name = ? AND shard_id = ?")) {
                ps.setString(1, stream);
                ps.setString(2, shardId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getString(1)) : Optional.<String>empty();
                }
            }
        });
    }

    /** Every shard's position of a stream, by shard id. */
    public Map<String, String> positions(String stream) {
        return ledger.inTransaction(c -> {
            Map<String, String> out = new LinkedHashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT shard_id, sequence_number FROM kinesis_checkpoint "
                    + "WHERE stream_name = ? ORDER BY shard_id")) {
                ps.setString(1, stream);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.put(rs.getString(1), rs.getString(2));
                    }
                }
            }
            return out;
        });
    }

    /** Records that everything up to and including this sequence number of the shard was handed on. */
    public void save(String stream, String shardId, String sequenceNumber) {
        BigInteger next = new BigInteger(sequenceNumber);
        ledger.inTransaction(c -> {
            String current = null;
            try (PreparedStatement ps = c.prepareStatement("SELECT sequence_number FROM kinesis_checkpoint "
                    + "WHERE stream_name = ? AND shard_id = ? FOR UPDATE")) {
                ps.setString(1, stream);
                ps.setString(2, shardId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        current = rs.getString(1);
                    }
                }
            }
            if (current == null) {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO kinesis_checkpoint (stream_name, shard_id, "
                        + "sequence_number, updated_at) VALUES (?, ?, ?, ?)")) {
                    ps.setString(1, stream);
                    ps.setString(2, shardId);
                    ps.setString(3, sequenceNumber);
                    ps.setLong(4, System.currentTimeMillis());
                    ps.executeUpdate();
                }
            } else if (next.compareTo(new BigInteger(current)) > 0) {
                try (PreparedStatement ps = c.prepareStatement("UPDATE kinesis_checkpoint SET sequence_number = ?, "
                        + "updated_at = ? WHERE stream_name = ? AND shard_id = ?")) {
                    ps.setString(1, sequenceNumber);
                    ps.setLong(2, System.currentTimeMillis());
                    ps.setString(3, stream);
                    ps.setString(4, shardId);
                    ps.executeUpdate();
                }
            }
            return null;
        });
    }
}
