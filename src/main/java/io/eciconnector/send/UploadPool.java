package io.eciconnector.send;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Named;

import io.eciconnector.ingest.UploadSettings;

/** The threads that upload recordings (routes/upload-recordings.yaml): eci.upload.concurrency of them. */
@ApplicationScoped
public class UploadPool {

    @Produces
    @ApplicationScoped
    @Named("uploadPool")
    ExecutorService uploadPool(UploadSettings settings) {
        AtomicInteger n = new AtomicInteger();
        return Executors.newFixedThreadPool(Math.max(1, settings.concurrency()), r -> {
            Thread t = new Thread(r, "upload-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    void close(@Disposes @Named("uploadPool") ExecutorService pool) {
        pool.shutdown();
    }
}
