package org.loomnet.dht;

import java.net.InetAddress;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * The tokens of {@code get_peers} and {@code announce_peer} (BEP 5): a node may only announce
 * itself to us with a token we gave its IP address recently, so nobody can store a third party's
 * address without being able to receive packets there.
 *
 * <p>A token is the first {@value #TOKEN_LENGTH} bytes of SHA-1(secret || IPv4 address). The
 * secret changes every {@code rotation} (5 minutes) and the previous secret is still accepted, so
 * a token is valid for 5 to 10 minutes and we remember nothing per requester. Time comes in as an
 * argument; owned by one thread.
 */
final class TokenSecrets {

    /** The length of our tokens (BEP 5 leaves it open; 8 bytes are plenty to resist guessing). */
    static final int TOKEN_LENGTH = 8;
    private static final int SECRET_LENGTH = 16;

    private final RandomGenerator random;
    private final long rotationMillis;
    private final MessageDigest sha1;
    private byte[] current;
    private byte[] previous;
    private long rotatedAt;

    /**
     * @param random   where secrets come from (a SecureRandom in a node)
     * @param rotation how often the secret changes
     * @param now      the current time, epoch milliseconds
     */
    TokenSecrets(RandomGenerator random, Duration rotation, long now) {
        this.random = random;
        this.rotationMillis = rotation.toMillis();
        if (rotationMillis <= 0) {
            throw new IllegalArgumentException("rotation must be positive: " + rotation);
        }
        try {
            this.sha1 = MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-1", e);
        }
        this.current = secret();
        this.previous = secret();
        this.rotatedAt = now;
    }

    private byte[] secret() {
        byte[] s = new byte[SECRET_LENGTH];
        random.nextBytes(s);
        return s;
    }

    private void rotateIfDue(long now) {
        long elapsed = now - rotatedAt;
        if (elapsed < rotationMillis) {
            return;
        }
        // After two periods or more, tokens made with the current secret are too old as well.
        previous = elapsed < 2 * rotationMillis ? current : secret();
        current = secret();
        rotatedAt = now;
    }

    /**
     * @param requester the IP address the {@code get_peers} came from
     * @param now       the current time
     * @return the token to send it
     */
    byte[] tokenFor(InetAddress requester, long now) {
        rotateIfDue(now);
        return token(current, requester);
    }

    /**
     * @param token     the token of an {@code announce_peer}
     * @param requester the IP address the announce came from
     * @param now       the current time
     * @return true if we gave that token to that address within the last one or two periods
     */
    boolean accepts(byte[] token, InetAddress requester, long now) {
        rotateIfDue(now);
        if (token.length != TOKEN_LENGTH) {
            return false;
        }
        return MessageDigest.isEqual(token, token(current, requester))
                || MessageDigest.isEqual(token, token(previous, requester));
    }

    private byte[] token(byte[] secret, InetAddress requester) {
        sha1.update(secret);
        sha1.update(requester.getAddress());
        return Arrays.copyOf(sha1.digest(), TOKEN_LENGTH);
    }
}
