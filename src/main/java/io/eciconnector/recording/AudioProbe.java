package io.eciconnector.recording;

/**
 * The recording's real type, read from its first bytes rather than its name: WAV (RIFF/WAVE, channels from the fmt
 * chunk), FLAC (fLaC, channels from STREAMINFO) or MP3 (an ID3 tag or an MPEG audio frame; channels from the frame
 * header's channel mode); and its length in seconds, from the same header and the recording's byte size:
 * <ul>
 * <li>WAV: the data chunk's size / the fmt chunk's byte rate (exact to the sample; when the data size is not set, as
 * a streaming writer leaves it, the bytes after the data chunk's header / the byte rate);</li>
 * <li>FLAC: STREAMINFO's total samples / its sample rate (exact; unknown when the encoder left the total at 0);</li>
 * <li>MP3: a Xing/Info or VBRI header's frame count x samples per frame / sample rate (to within one frame, 26 ms at
 * 44.1 kHz, plus the encoder's delay and padding, about 50 ms); without one, the bytes after the first frame x 8 /
 * the first frame's bit rate: exact to a frame for a constant bit rate, an estimate only for a variable one.</li>
 * </ul>
 */
public final class AudioProbe {

    /**
     * format: mp3, wav or flac (ECI's spelling); channels: null when the header does not tell; length: how the length
     * follows from the byte size, null when the header does not tell.
     */
    public record Audio(String format, Integer channels, Length length) {

        public Audio(String format, Integer channels) {
            this(format, channels, null);
        }

        /** Length in seconds of a recording of {@code totalBytes} bytes (-1: unknown); null when it cannot be told. */
        public Double seconds(long totalBytes) {
            return length == null ? null : length.seconds(totalBytes);
        }

        /** Whether {@link #seconds} is exact (a sample or frame count), not an estimate from the bit rate. */
        public boolean exactLength() {
            return length != null && length.exact();
        }
    }

    /**
     * The length of a recording: {@code fixedSeconds} when the header states it; else {@code (size - audioStart) /
     * bytesPerSecond} for the recording's size (capped by {@code audioBytes} when the header states the audio's size).
     */
    public record Length(Double fixedSeconds, long audioStart, long audioBytes, double bytesPerSecond, boolean exact) {

        static Length fixed(double seconds) {
            return new Length(seconds, 0, -1, 0, true);
        }

        public Double seconds(long totalBytes) {
            if (fixedSeconds != null) {
                return fixedSeconds;
            }
            if (bytesPerSecond <= 0) {
                return null;
            }
            long bytes = totalBytes < 0 ? audioBytes : totalBytes - audioStart;
            if (audioBytes >= 0 && totalBytes >= 0) {
                bytes = Math.min(bytes, audioBytes);
            }
            return bytes < 0 ? null : bytes / bytesPerSecond;
        }
    }

    private AudioProbe() {
    }

    /** The audio type of these first bytes, or null when they are none of mp3, wav, flac. */
    public static Audio probe(byte[] head) {
        if (head == null || head.length < 4) {
            return null;
        }
        if (ascii(head, 0, "RIFF") && head.length >= 12 && ascii(head, 8, "WAVE")) {
            return wav(head);
        }
        if (ascii(head, 0, "fLaC")) {
            return flac(head);
        }
        int frame = 0;
        if (ascii(head, 0, "ID3") && head.length >= 10) {
            int size = ((head[6] & 0x7F) << 21) | ((head[7] & 0x7F) << 14) | ((head[8] & 0x7F) << 7) | (head[9] & 0x7F);
            frame = 10 + size + ((head[5] & 0x10) != 0 ? 10 : 0);
            if (frame + 4 > head.length) {
                return new Audio("mp3", null);
            }
        }
        for (int i = frame; i + 4 <= head.length && i < frame + 4096; i++) {
            if ((head[i] & 0xFF) == 0xFF && (head[i + 1] & 0xE0) == 0xE0 && (head[i + 1] & 0x06) != 0) {
                int mode = (head[i + 3] & 0xC0) >> 6;
                return new Audio("mp3", mode == 3 ? 1 : 2, Mpeg.length(head, i));
            }
        }
        return frame > 0 ? new Audio("mp3", null) : null;
    }

    private static Audio wav(byte[] h) {
        Integer channels = null;
        long byteRate = 0;
        int i = 12;
        while (i + 8 <= h.length) {
            long size = u32le(h, i + 4);
            if (ascii(h, i, "fmt ") && i + 16 <= h.length) {
                channels = u16le(h, i + 10);
                byteRate = i + 20 <= h.length ? u32le(h, i + 16) : 0;
            } else if (ascii(h, i, "data")) {
                // 0 or 0xFFFFFFFF: a writer that streamed the audio and never came back to set the size
                long audio = size == 0 || size == 0xFFFFFFFFL ? -1 : size;
                Length length = byteRate > 0 ? new Length(null, i + 8, audio, byteRate, audio >= 0) : null;
                return new Audio("wav", channels, length);
            }
            long next = i + 8 + size + (size & 1);
            if (next > Integer.MAX_VALUE) {
                break;
            }
            i = (int) next;
        }
        return new Audio("wav", channels);
    }

    /** STREAMINFO follows the 4-byte block header: sample rate (20 bits), channels - 1 (3), bits - 1 (5), samples (36). */
    private static Audio flac(byte[] h) {
        int at = 4 + 4 + 10;
        if (h.length < at + 8) {
            return new Audio("flac", h.length > at + 2 ? ((h[at + 2] & 0x0E) >> 1) + 1 : null);
        }
        int rate = (h[at] & 0xFF) << 12 | (h[at + 1] & 0xFF) << 4 | (h[at + 2] & 0xF0) >> 4;
        int channels = ((h[at + 2] & 0x0E) >> 1) + 1;
        long samples = (long) (h[at + 3] & 0x0F) << 32 | u32be(h, at + 4);
        return new Audio("flac", channels, rate > 0 && samples > 0 ? Length.fixed((double) samples / rate) : null);
    }

    /** MPEG audio frame headers (ISO 11172-3 / 13818-3) and the Xing/Info and VBRI headers of the first frame. */
    static final class Mpeg {
        private static final int[][] BITRATES = { // kbit/s by [row][index]
                { 0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448 }, // MPEG-1 Layer I
                { 0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384 }, // MPEG-1 Layer II
                { 0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320 }, // MPEG-1 Layer III
                { 0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256 }, // MPEG-2/2.5 Layer I
                { 0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160 } }; // MPEG-2/2.5 Layer II and III
        private static final int[] RATES = { 44100, 48000, 32000 };

        private Mpeg() {
        }

        static Length length(byte[] h, int at) {
            int version = (h[at + 1] >> 3) & 3; // 3: MPEG-1, 2: MPEG-2, 0: MPEG-2.5, 1: reserved
            int layer = 4 - ((h[at + 1] >> 1) & 3); // 1, 2 or 3
            int bitrateIndex = (h[at + 2] >> 4) & 0x0F;
            int rateIndex = (h[at + 2] >> 2) & 3;
            if (version == 1 || layer == 4 || rateIndex == 3) {
                return null;
            }
            boolean mpeg1 = version == 3;
            int rate = RATES[rateIndex] / (mpeg1 ? 1 : version == 2 ? 2 : 4);
            int samplesPerFrame = layer == 1 ? 384 : layer == 2 || mpeg1 ? 1152 : 576;
            boolean mono = ((h[at + 3] >> 6) & 3) == 3;
            // Xing / Info: after the side information of the first frame
            int xing = at + 4 + (mpeg1 ? (mono ? 17 : 32) : (mono ? 9 : 17));
            if (layer == 3 && (ascii(h, xing, "Xing") || ascii(h, xing, "Info")) && xing + 12 <= h.length
                    && (u32be(h, xing + 4) & 1) != 0) {
                long frames = u32be(h, xing + 8);
                return frames > 0 ? Length.fixed((double) frames * samplesPerFrame / rate) : null;
            }
            int vbri = at + 4 + 32;
            if (ascii(h, vbri, "VBRI") && vbri + 18 <= h.length) {
                long frames = u32be(h, vbri + 14);
                return frames > 0 ? Length.fixed((double) frames * samplesPerFrame / rate) : null;
            }
            if (bitrateIndex == 0 || bitrateIndex == 15) {
                return null; // free format or invalid: no bit rate to go by
            }
            int row = mpeg1 ? layer - 1 : layer == 1 ? 3 : 4;
            double bytesPerSecond = BITRATES[row][bitrateIndex] * 1000 / 8.0;
            return new Length(null, at, -1, bytesPerSecond, false);
        }
    }

    private static int u16le(byte[] b, int at) {
        return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8;
    }

    private static long u32le(byte[] b, int at) {
        return ((b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8 | (b[at + 2] & 0xFF) << 16 | (long) (b[at + 3] & 0xFF) << 24);
    }

    private static long u32be(byte[] b, int at) {
        return ((long) (b[at] & 0xFF) << 24 | (b[at + 1] & 0xFF) << 16 | (b[at + 2] & 0xFF) << 8 | (b[at + 3] & 0xFF));
    }

    private static boolean ascii(byte[] b, int at, String s) {
        if (at < 0 || b.length < at + s.length()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (b[at + i] != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
