package org.loomnet.daemon.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The dashboard: one self-contained HTML page ({@code dashboard.html} next to this class), with
 * its script and styles inline and no external fonts or scripts, since nodes often run on
 * machines without internet access. It polls {@code /api/node} and
 * {@code /api/network/connections} and draws what it gets.
 */
final class Dashboard {

    private static final String RESOURCE = "dashboard.html";

    private Dashboard() {
    }

    /** @return the page's bytes, read once from the jar */
    static byte[] page() {
        try (InputStream in = Dashboard.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
