package org.loomnet.dht;

import java.util.Objects;

/**
 * The outcome of {@link DhtNode#announce}: a {@code get_peers} lookup, then {@code announce_peer}
 * to each of the k closest nodes that gave a token.
 *
 * @param infoHash    the info-hash announced
 * @param asked       nodes sent an {@code announce_peer}
 * @param accepted    nodes that answered it with a response (not an error or silence)
 * @param lookup      the {@code get_peers} lookup that came first: the peers already known for the
 *                    info-hash come for free
 */
public record AnnounceResult(DhtId infoHash, int asked, int accepted, PeersResult lookup) {

    /** Checks the fields. */
    public AnnounceResult {
        Objects.requireNonNull(infoHash, "infoHash");
        Objects.requireNonNull(lookup, "lookup");
    }
}
