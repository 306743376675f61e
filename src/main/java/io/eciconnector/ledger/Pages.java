package io.eciconnector.ledger;

import java.util.function.IntSupplier;

/** A retention pass that deletes page by page, one transaction a page, so that no pass makes one long transaction. */
public final class Pages {

    private Pages() {
    }

    /**
     * Runs {@code onePage} (one transaction that deletes at most {@code page} rows and answers how many) until a page
     * comes back short, at most {@code maxPages} times (the next pass goes on); answers how many rows in all.
     */
    public static int untilShort(int page, int maxPages, IntSupplier onePage) {
        int total = 0;
        for (int i = 0; i < maxPages; i++) {
            int n = onePage.getAsInt();
            total += n;
            if (n < page) {
                break;
            }
        }
        return total;
    }
}
