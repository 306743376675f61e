package io.eciconnector.recording;

/**
 * The recording's real type, read from its first bytes rather than its name: WAV (RIFF/WAVE, channels from the fmt
 * chunk), FLAC (fLaC, channels from STREAMINFO) or MP3 (an ID3 tag or an MPEG audio frame; channels from the frame
 * header's channel mode).
 */
public final class AudioProbe {

    /** format: mp3, wav or flac (ECI's spelling); channels: null when the header does not tell. */
    public record Audio(String format, Integer channels) {
    }

    private AudioProbe() {
    }

    /** The audio type of these first bytes, or null when they are none of mp3, wav, flac. */
    public static Audio probe(byte[] head) {
        if (head == null || head.length < 4) {
            return null;
        }
        if (ascii(head, 0, "RIFF") && head.length >= 12 && ascii(head, 8, "WAVE")) {
            return new Audio("wav", wavChannels(head));
        }
        if (ascii(head, 0, "fLaC")) {
            // STREAMINFO follows the 4-byte block header: channels-1 sits in bits 4..6 of byte 12 of the block
            int at = 4 + 4 + 12;
            Integer channels = head.length > at ? ((head[at] & 0x0E) >> 1) + 1 : null;
            return new Audio("flac", channels);
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
                return new Audio("mp3", mode == 3 ? 1 : 2);
            }
        }
        return frame > 0 ? new Audio("mp3", null) : null;
    }

    private static Integer wavChannels(byte[] h) {
        int i = 12;
        while (i + 8 <= h.length) {
            int size = (h[i + 4] & 0xFF) | (h[i + 5] & 0xFF) << 8 | (h[i + 6] & 0xFF) << 16 | (h[i + 7] & 0xFF) << 24;
            if (ascii(h, i, "fmt ") && i + 12 <= h.length) {
                return (h[i + 10] & 0xFF) | (h[i + 11] & 0xFF) << 8;
            }
            if (size < 0) {
                return null;
            }
            i += 8 + size + (size & 1);
        }
        return null;
    }

    private static boolean ascii(byte[] b, int at, String s) {
        if (b.length < at + s.length()) {
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
