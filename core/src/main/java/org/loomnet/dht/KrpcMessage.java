package org.loomnet.dht;

import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * A KRPC message (BEP 5): the three kinds of packet the mainline DHT exchanges over UDP. Each is a
 * bencoded dictionary with a transaction id {@code t} chosen by the querying node and echoed in
 * the reply, and a type {@code y}:
 *
 * <pre>
 *   query     y=q  q=&lt;method&gt;  a={id: sender id, ...arguments}
 *   response  y=r               r={id: sender id, ...return values}
 *   error     y=e               e=[code, message]
 * </pre>
 *
 * A response does not name its method: the querying node knows it from the transaction. So
 * {@link Response} carries every return value any method may have, each optional.
 *
 * <p>Keys this implementation does not use are tolerated on decode and not sent: {@code v} (client
 * version), {@code ip} (BEP 42, the requester's address as seen by the responder) and
 * {@code nodes6} (BEP 32, IPv6 nodes). {@code ro} (BEP 43, a read-only node that must not be
 * added to routing tables) is read, and sent only when set. {@link KrpcCodec} turns these records
 * into bytes and back.
 */
public sealed interface KrpcMessage permits KrpcMessage.Query, KrpcMessage.Response, KrpcMessage.ErrorMessage {

    /** @return the transaction id (not copied: treat as immutable) */
    byte[] transactionId();

    /**
     * A query: a method called on the receiving node.
     *
     * @param transactionId the id the response will echo
     * @param sender        the querying node's id ({@code a.id})
     * @param method        the method and its arguments
     * @param readOnly      BEP 43 {@code ro=1}: the sender does not answer queries, so it must not
     *                      be put in routing tables
     */
    record Query(byte[] transactionId, DhtId sender, Method method, boolean readOnly) implements KrpcMessage {

        /** Checks the fields. */
        public Query {
            Objects.requireNonNull(transactionId, "transactionId");
            Objects.requireNonNull(sender, "sender");
            Objects.requireNonNull(method, "method");
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Query q && Arrays.equals(transactionId, q.transactionId) && sender.equals(q.sender)
                    && method.equals(q.method) && readOnly == q.readOnly;
        }

        @Override
        public int hashCode() {
            return Objects.hash(Arrays.hashCode(transactionId), sender, method, readOnly);
        }

        @Override
        public String toString() {
            return "Query[t=" + HexFormat.of().formatHex(transactionId) + ", " + method.wireName() + " from "
                    + sender + (readOnly ? ", ro" : "") + ", " + method + "]";
        }
    }

    /** The four methods of BEP 5, with their arguments besides the sender id. */
    sealed interface Method permits Ping, FindNode, GetPeers, AnnouncePeer {
        /** @return the method name on the wire ({@code q}) */
        String wireName();
    }

    /** {@code ping}: "are you there?" The response carries only the responder's id. */
    record Ping() implements Method {
        @Override
        public String wireName() {
            return "ping";
        }
    }

    /**
     * {@code find_node}: "which nodes do you know closest to {@code target}?" The response carries
     * {@code nodes}: the k closest good nodes in the responder's routing table.
     *
     * @param target the id sought
     */
    record FindNode(DhtId target) implements Method {
        /** Checks the field. */
        public FindNode {
            Objects.requireNonNull(target, "target");
        }

        @Override
        public String wireName() {
            return "find_node";
        }
    }

    /**
     * {@code get_peers}: "who is downloading {@code infoHash}?" The response carries a
     * {@code token} for a later {@code announce_peer}, and either {@code values} (peers the
     * responder stores for the info-hash) or {@code nodes} (closer nodes to ask).
     *
     * @param infoHash the key sought
     */
    record GetPeers(DhtId infoHash) implements Method {
        /** Checks the field. */
        public GetPeers {
            Objects.requireNonNull(infoHash, "infoHash");
        }

        @Override
        public String wireName() {
            return "get_peers";
        }
    }

    /**
     * {@code announce_peer}: "store me as a peer for {@code infoHash}". The token must be one the
     * receiver gave this IP address in a recent {@code get_peers} response.
     *
     * @param infoHash    the key
     * @param port        the port the peer listens on (0..65535)
     * @param token       the token from the receiver's {@code get_peers} response
     * @param impliedPort {@code implied_port}: true means "use the UDP source port of this packet
     *                    instead of {@code port}" (for peers behind NAT); null means the key is
     *                    absent on the wire, which is the same as false
     */
    record AnnouncePeer(DhtId infoHash, int port, byte[] token, Boolean impliedPort) implements Method {
        /** Checks the fields. */
        public AnnouncePeer {
            Objects.requireNonNull(infoHash, "infoHash");
            Objects.requireNonNull(token, "token");
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port out of range: " + port);
            }
        }

        /** @return true if the receiver should use the packet's source port */
        public boolean usesImpliedPort() {
            return Boolean.TRUE.equals(impliedPort);
        }

        @Override
        public String wireName() {
            return "announce_peer";
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof AnnouncePeer a && infoHash.equals(a.infoHash) && port == a.port
                    && Arrays.equals(token, a.token) && Objects.equals(impliedPort, a.impliedPort);
        }

        @Override
        public int hashCode() {
            return Objects.hash(infoHash, port, Arrays.hashCode(token), impliedPort);
        }

        @Override
        public String toString() {
            return "AnnouncePeer[" + infoHash + ", port=" + port + ", token=" + HexFormat.of().formatHex(token)
                    + ", implied_port=" + impliedPort + "]";
        }
    }

    /**
     * A response. Which of the optional values are present depends on the query: none for
     * {@code ping} and {@code announce_peer}, {@code nodes} for {@code find_node}, {@code token}
     * and {@code values} or {@code nodes} for {@code get_peers}.
     *
     * @param transactionId the query's transaction id
     * @param sender        the responding node's id ({@code r.id})
     * @param nodes         {@code nodes}, or null if absent (an empty list is sent as an empty string)
     * @param token         {@code token}, or null if absent
     * @param values        {@code values}: IPv4 peers, or null if absent (IPv6 entries are dropped on decode)
     */
    record Response(byte[] transactionId, DhtId sender, List<NodeInfo> nodes, byte[] token,
                    List<InetSocketAddress> values) implements KrpcMessage {

        /** Checks the fields and copies the lists. */
        public Response {
            Objects.requireNonNull(transactionId, "transactionId");
            Objects.requireNonNull(sender, "sender");
            nodes = nodes == null ? null : List.copyOf(nodes);
            values = values == null ? null : List.copyOf(values);
            if (values != null) {
                for (InetSocketAddress v : values) {
                    if (!(v.getAddress() instanceof Inet4Address)) {
                        throw new IllegalArgumentException("IPv4 peers only: " + v);
                    }
                }
            }
        }

        /**
         * @param transactionId the query's transaction id
         * @param sender        the responder's id
         * @return a response with no return values: the answer to {@code ping} and {@code announce_peer}
         */
        public static Response of(byte[] transactionId, DhtId sender) {
            return new Response(transactionId, sender, null, null, null);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Response r && Arrays.equals(transactionId, r.transactionId) && sender.equals(r.sender)
                    && Objects.equals(nodes, r.nodes) && Arrays.equals(token, r.token)
                    && Objects.equals(values, r.values);
        }

        @Override
        public int hashCode() {
            return Objects.hash(Arrays.hashCode(transactionId), sender, nodes, Arrays.hashCode(token), values);
        }

        @Override
        public String toString() {
            return "Response[t=" + HexFormat.of().formatHex(transactionId) + " from " + sender
                    + (nodes == null ? "" : ", nodes=" + nodes)
                    + (token == null ? "" : ", token=" + HexFormat.of().formatHex(token))
                    + (values == null ? "" : ", values=" + values) + "]";
        }
    }

    /**
     * An error reply.
     *
     * @param transactionId the query's transaction id
     * @param code          201 generic, 202 server, 203 protocol (malformed packet, invalid
     *                      arguments, bad token), 204 method unknown
     * @param message       a human-readable description
     */
    record ErrorMessage(byte[] transactionId, int code, String message) implements KrpcMessage {

        /** 201: a generic error. */
        public static final int GENERIC_ERROR = 201;
        /** 202: the server failed (for us: the peer store is full). */
        public static final int SERVER_ERROR = 202;
        /** 203: a malformed packet, invalid arguments or a bad token. */
        public static final int PROTOCOL_ERROR = 203;
        /** 204: the query's method is unknown. */
        public static final int METHOD_UNKNOWN = 204;

        /** Checks the fields. */
        public ErrorMessage {
            Objects.requireNonNull(transactionId, "transactionId");
            Objects.requireNonNull(message, "message");
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ErrorMessage e && Arrays.equals(transactionId, e.transactionId) && code == e.code
                    && message.equals(e.message);
        }

        @Override
        public int hashCode() {
            return Objects.hash(Arrays.hashCode(transactionId), code, message);
        }

        @Override
        public String toString() {
            return "ErrorMessage[t=" + HexFormat.of().formatHex(transactionId) + ", " + code + " " + message + "]";
        }
    }
}
