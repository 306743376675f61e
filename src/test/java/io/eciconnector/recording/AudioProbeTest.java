package io.eciconnector.recording;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import io.eciconnector.samples.WavWriter;

/** recordingFormat and channels come from the recording's bytes, not its name. */
class AudioProbeTest {

    @Test
    void wavMonoAndStereoFromTheFmtChunk() throws Exception {
        Path mono = Files.createTempFile("mono", ".mp3");
        Path stereo = Files.createTempFile("stereo", ".bin");
        WavWriter.tone(mono, 8000, 0.2, 262.0);
        WavWriter.tone(stereo, 8000, 0.2, 220.0, 330.0);
        assertEquals(new AudioProbe.Audio("wav", 1), AudioProbe.probe(Files.readAllBytes(mono)), "named .mp3, is a WAV");
        assertEquals(new AudioProbe.Audio("wav", 2), AudioProbe.probe(Files.readAllBytes(stereo)));
    }

    @Test
    void flacAndMp3Headers() {
        byte[] flac = new byte[42];
        System.arraycopy("fLaC".getBytes(), 0, flac, 0, 4);
        flac[20] = (byte) 0x02; // channels-1 = 1 in bits 1..3 of STREAMINFO byte 12
        assertEquals(new AudioProbe.Audio("flac", 2), AudioProbe.probe(flac));
        byte[] mp3Stereo = { (byte) 0xFF, (byte) 0xFB, (byte) 0x90, (byte) 0x00 };
        byte[] mp3Mono = { (byte) 0xFF, (byte) 0xFB, (byte) 0x90, (byte) 0xC0 };
        assertEquals(new AudioProbe.Audio("mp3", 2), AudioProbe.probe(mp3Stereo));
        assertEquals(new AudioProbe.Audio("mp3", 1), AudioProbe.probe(mp3Mono));
        byte[] id3 = new byte[20];
        System.arraycopy("ID3".getBytes(), 0, id3, 0, 3);
        assertEquals("mp3", AudioProbe.probe(id3).format());
        assertNull(AudioProbe.probe("OggS....".getBytes()), "ogg is not an ECI format");
    }
}
