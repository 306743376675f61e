package io.eciconnector.recording;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

import io.eciconnector.samples.WavWriter;

/** recordingFormat, channels and the recording's length come from the recording's bytes, not its name. */
class AudioProbeTest {

    private static AudioProbe.Audio probe(Path file) throws Exception {
        return AudioProbe.probe(Arrays.copyOf(Files.readAllBytes(file), (int) Math.min(Files.size(file),
                RecordingBackend.HEAD_BYTES)));
    }

    @Test
    void wavMonoAndStereoFromTheFmtChunkAndTheLengthFromTheDataChunk() throws Exception {
        Path mono = Files.createTempFile("mono", ".mp3");
        Path stereo = Files.createTempFile("stereo", ".bin");
        WavWriter.tone(mono, 8000, 3, 262.0);
        WavWriter.tone(stereo, 16000, 2.5, 220.0, 330.0);
        AudioProbe.Audio m = probe(mono);
        assertEquals("wav", m.format(), "named .mp3, is a WAV");
        assertEquals(1, m.channels());
        assertEquals(3.0, m.seconds(Files.size(mono)), 1e-9, "48000 data bytes at 16000 bytes a second");
        assertTrue(m.exactLength());
        AudioProbe.Audio s = probe(stereo);
        assertEquals(2, s.channels());
        assertEquals(2.5, s.seconds(Files.size(stereo)), 1e-9);
        assertEquals(2.5, s.seconds(-1), 1e-9, "the data chunk's size, when the source does not tell the size");
        assertEquals(1.0, m.seconds(WavWriter.HEADER_BYTES + 16000), 1e-9, "a truncated file: what is there");
    }

    @Test
    void wavWhoseDataSizeWasNeverSetIsMeasuredByItsSize() throws Exception {
        Path wav = Files.createTempFile("streamed", ".wav");
        WavWriter.tone(wav, 8000, 2, 262.0);
        byte[] bytes = Files.readAllBytes(wav);
        Arrays.fill(bytes, 40, 44, (byte) 0xFF); // data size 0xFFFFFFFF, as a streaming writer leaves it
        AudioProbe.Audio a = AudioProbe.probe(bytes);
        assertEquals(2.0, a.seconds(bytes.length), 1e-9);
        assertFalse(a.exactLength(), "an estimate from the byte rate");
    }

    @Test
    void flacLengthFromStreamInfo() {
        byte[] flac = new byte[42];
        System.arraycopy("fLaC".getBytes(), 0, flac, 0, 4);
        // STREAMINFO: 44100 Hz (20 bits), 2 channels, 16 bits, 441000 samples (36 bits) = 10 s
        byte[] info = { 0x0A, (byte) 0xC4, 0x42, (byte) 0xF0, 0x00, 0x06, (byte) 0xBA, (byte) 0xA8 };
        System.arraycopy(info, 0, flac, 18, info.length);
        AudioProbe.Audio a = AudioProbe.probe(flac);
        assertEquals("flac", a.format());
        assertEquals(2, a.channels());
        assertEquals(10.0, a.seconds(123456), 1e-9, "total samples / sample rate, whatever the size");
        byte[] unknown = new byte[42];
        System.arraycopy("fLaC".getBytes(), 0, unknown, 0, 4);
        unknown[20] = (byte) 0x02;
        assertEquals(2, AudioProbe.probe(unknown).channels());
        assertNull(AudioProbe.probe(unknown).seconds(1000), "no sample rate, no total: not told");
    }

    /** An MPEG-1 Layer III frame header, 128 kbit/s, 44.1 kHz, stereo (417 bytes a frame). */
    static final byte[] MPEG1_128K = { (byte) 0xFF, (byte) 0xFB, (byte) 0x90, (byte) 0x00 };

    @Test
    void mp3WithAXingHeaderCountsItsFrames() {
        byte[] head = new byte[417];
        System.arraycopy(MPEG1_128K, 0, head, 0, 4);
        ByteBuffer b = ByteBuffer.wrap(head);
        b.position(4 + 32).put("Xing".getBytes()).putInt(0x1).putInt(3000); // flags: frames; 3000 frames
        AudioProbe.Audio a = AudioProbe.probe(head);
        assertEquals(2, a.channels());
        assertEquals(3000 * 1152 / 44100.0, a.seconds(5_000_000), 1e-9, "frames x 1152 / 44100, not the byte size");
        assertTrue(a.exactLength());
        // MPEG-2 Layer III, 22.05 kHz, mono: 576 samples a frame, the Xing header after 9 bytes of side information
        byte[] mpeg2 = new byte[300];
        System.arraycopy(new byte[] { (byte) 0xFF, (byte) 0xF3, (byte) 0x80, (byte) 0xC0 }, 0, mpeg2, 0, 4);
        ByteBuffer.wrap(mpeg2).position(4 + 9).put("Info".getBytes()).putInt(0x3).putInt(500);
        AudioProbe.Audio m2 = AudioProbe.probe(mpeg2);
        assertEquals(1, m2.channels());
        assertEquals(500 * 576 / 22050.0, m2.seconds(-1), 1e-9);
    }

    @Test
    void mp3WithAVbriHeaderCountsItsFrames() {
        byte[] head = new byte[417];
        System.arraycopy(MPEG1_128K, 0, head, 0, 4);
        ByteBuffer.wrap(head).position(4 + 32).put("VBRI".getBytes()).putShort((short) 1).putShort((short) 0)
                .putShort((short) 75).putInt(1_000_000).putInt(2000);
        assertEquals(2000 * 1152 / 44100.0, AudioProbe.probe(head).seconds(1_000_000), 1e-9);
    }

    @Test
    void mp3WithoutAHeaderIsEstimatedFromItsBitRateAndSize() {
        byte[] id3 = new byte[10 + 100 + 4];
        System.arraycopy("ID3".getBytes(), 0, id3, 0, 3);
        id3[3] = 3;
        id3[9] = 100; // a tag of 100 bytes before the first frame
        System.arraycopy(MPEG1_128K, 0, id3, 110, 4);
        AudioProbe.Audio a = AudioProbe.probe(id3);
        assertEquals("mp3", a.format());
        long size = 110 + 16_000L * 60; // one minute of 128 kbit/s after the tag
        assertEquals(60.0, a.seconds(size), 1e-9, "(size - tag) x 8 / 128000");
        assertFalse(a.exactLength(), "an estimate: exact for a constant bit rate only");
        assertNull(a.seconds(-1), "no size, no estimate");
        byte[] free = { (byte) 0xFF, (byte) 0xFB, (byte) 0x00, (byte) 0x00 }; // free-format bit rate
        assertNull(AudioProbe.probe(free).seconds(1000));
    }

    @Test
    void otherBytesAreNoEciFormatAndNothingReadsPastTheirEnd() {
        byte[] id3 = new byte[20];
        System.arraycopy("ID3".getBytes(), 0, id3, 0, 3);
        assertEquals("mp3", AudioProbe.probe(id3).format());
        assertNull(AudioProbe.probe("OggS....".getBytes()), "ogg is not an ECI format");
        byte[] riff = "RIFF\0\0\0\0WAVEfmt \u00ff\u00ff\u00ff\u007f".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        assertEquals("wav", AudioProbe.probe(riff).format(), "a chunk size past the end: no length, no exception");
        assertNull(AudioProbe.probe(riff).seconds(100));
        for (int n = 4; n < 64; n++) {
            byte[] cut = Arrays.copyOf(MPEG1_128K, n);
            AudioProbe.probe(cut); // never an exception, whatever is cut off
        }
    }
}
