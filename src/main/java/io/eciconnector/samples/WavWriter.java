package io.eciconnector.samples;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes 16-bit PCM WAV files of sine tones, streaming: memory use does not grow with the file. */
public final class WavWriter {

    public static final int HEADER_BYTES = 44;

    private WavWriter() {
    }

    /**
     * Writes {@code seconds} of tones at {@code sampleRate}, one frequency per channel (mono: one, stereo: customer
     * left, agent right).
     */
    public static long tone(Path file, int sampleRate, double seconds, double... channelHz) throws IOException {
        int channels = channelHz.length;
        long frames = Math.round(seconds * sampleRate);
        return write(file, sampleRate, channels, frames * channels * 2, channelHz);
    }

    /** Writes a WAV file of exactly {@code totalBytes} bytes (header included), e.g. 64 MB + 1 for the upload cap. */
    public static long ofSize(Path file, long totalBytes) throws IOException {
        if (totalBytes < HEADER_BYTES + 2) {
            throw new IllegalArgumentException("a WAV file needs at least " + (HEADER_BYTES + 2) + " bytes");
        }
        return write(file, 8000, 1, totalBytes - HEADER_BYTES, 440.0);
    }

    private static long write(Path file, int sampleRate, int channels, long dataBytes, double... hz)
            throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 64 * 1024)) {
            ByteBuffer h = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            h.put("RIFF".getBytes()).putInt((int) Math.min(0xFFFFFFFFL, 36 + dataBytes)).put("WAVE".getBytes());
            h.put("fmt ".getBytes()).putInt(16).putShort((short) 1).putShort((short) channels).putInt(sampleRate)
                    .putInt(sampleRate * channels * 2).putShort((short) (channels * 2)).putShort((short) 16);
            h.put("data".getBytes()).putInt((int) Math.min(0xFFFFFFFFL, dataBytes));
            out.write(h.array());
            byte[] frame = new byte[channels * 2];
            long written = 0;
            for (long i = 0; written < dataBytes; i++) {
                for (int c = 0; c < channels; c++) {
                    double envelope = (i / (sampleRate / 2)) % 2 == 0 ? 0.5 : 0.05; // talk / pause every half second
                    short s = (short) (Math.sin(2 * Math.PI * hz[c % hz.length] * i / sampleRate) * 12000 * envelope);
                    frame[c * 2] = (byte) s;
                    frame[c * 2 + 1] = (byte) (s >> 8);
                }
                int n = (int) Math.min(frame.length, dataBytes - written);
                out.write(frame, 0, n);
                written += n;
            }
        }
        return Files.size(file);
    }
}
