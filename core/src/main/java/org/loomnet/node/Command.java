package org.loomnet.node;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.loomnet.connection.Connection;
import org.loomnet.wire.AppMessage;
import org.loomnet.wire.DisconnectReason;
import org.loomnet.wire.Hello;
import org.loomnet.wire.Parcel;

/**
 * Everything the processing thread is asked to do. Other threads never touch the connection
 * table; they put one of these records on the node's inbox and the processing thread handles it
 * in an exhaustive {@code switch}.
 */
sealed interface Command {

    // ---- from the acceptor and dialer threads -------------------------------------------------

    /** The acceptor accepted a socket. */
    record Accepted(Socket socket) implements Command {
    }

    /** A dial thread connected. */
    record Dialed(InetSocketAddress target, Socket socket) implements Command {
    }

    /** A dial thread failed to connect. */
    record DialFailed(InetSocketAddress target, IOException error) implements Command {
    }

    // ---- from connection reader threads -------------------------------------------------------

    /** A peer's HELLO arrived. */
    record HelloReceived(Connection connection, Hello hello) implements Command {
    }

    /** A whole application message arrived. */
    record Received(Connection connection, AppMessage message) implements Command {
    }

    /** A gossip envelope arrived (signature not yet checked). */
    record GossipReceived(Connection connection, org.loomnet.wire.GossipEnvelope envelope) implements Command {
    }

    /** A peer-exchange parcel arrived. */
    record PeerExchange(Connection connection, Parcel parcel) implements Command {
    }

    /** A connection ended; both its threads are done or ending. */
    record Closed(Connection connection) implements Command {
    }

    // ---- from the application ----------------------------------------------------------------

    /**
     * Send a message (already encoded and split by the caller's thread) along a route.
     *
     * @param route   where to
     * @param parcels the MESSAGE or MESSAGE_PART parcels
     * @param result  completed with the number of peers the message was queued for
     */
    record Send(Route route, List<Parcel> parcels, CompletableFuture<Integer> result) implements Command {
    }

    /** Flood a gossip message this node signed. */
    record Gossip(org.loomnet.wire.GossipEnvelope envelope, CompletableFuture<Integer> result) implements Command {
    }

    /** Dial an address, once or (special) forever. */
    record Dial(PeerAddress peer, boolean special, CompletableFuture<Boolean> result) implements Command {
    }

    /** Disconnect a peer. */
    record Disconnect(NodeId node, DisconnectReason reason, CompletableFuture<Boolean> result) implements Command {
    }

    /** Ban a node id and/or an IP address for a while, disconnecting matching peers. */
    record Ban(NodeId node, java.net.InetAddress address, java.time.Duration duration,
               CompletableFuture<Integer> result) implements Command {
    }

    /** Lift a ban on a node id and/or an IP address. */
    record Unban(NodeId node, java.net.InetAddress address, CompletableFuture<Boolean> result) implements Command {
    }

    /** Change a connected peer's quality score (the application's or operator's judgement). */
    record AdjustQuality(NodeId node, int delta, CompletableFuture<Integer> result) implements Command {
    }

    /** The bans that hold now. */
    record Bans(CompletableFuture<List<org.loomnet.peers.Ban>> result) implements Command {
    }

    /** A snapshot of the address book. */
    record BookSnapshot(CompletableFuture<List<org.loomnet.peers.PeerEntry>> result) implements Command {
    }

    /** Addresses from a bootstrap source (seed URL, DNS seed). */
    record Learned(List<java.net.InetSocketAddress> addresses, org.loomnet.peers.PeerSource source) implements Command {
    }

    /** Replace the special peers. */
    record SetSpecials(List<PeerAddress> peers, CompletableFuture<Integer> result) implements Command {
    }

    /** Disconnect everyone and stop. */
    record Shutdown(CompletableFuture<Void> done) implements Command {
    }

    // ---- from the ticker ----------------------------------------------------------------------

    /** Time to check timers. */
    record Tick() implements Command {
    }

    /** Where an application message goes. */
    sealed interface Route {
        /** To one peer. */
        record ToPeer(NodeId node) implements Route {
        }

        /** To {@code fanout} random peers, special peers always included. */
        record Broadcast() implements Route {
        }

        /** To every connected peer. */
        record ToAll() implements Route {
        }

        /** To one random peer. */
        record ToRandom() implements Route {
        }
    }
}
