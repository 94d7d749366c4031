package org.loomnet.dht;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.loomnet.dht.KrpcMessage.AnnouncePeer;
import org.loomnet.dht.KrpcMessage.ErrorMessage;
import org.loomnet.dht.KrpcMessage.FindNode;
import org.loomnet.dht.KrpcMessage.GetPeers;
import org.loomnet.dht.KrpcMessage.Method;
import org.loomnet.dht.KrpcMessage.Ping;
import org.loomnet.dht.KrpcMessage.Query;
import org.loomnet.dht.KrpcMessage.Response;

/**
 * Turns {@link KrpcMessage}s into packets and back, byte for byte as BEP 5 and the mainline
 * implementations write them (dictionary keys sorted, integers and strings in canonical form).
 *
 * <h2>What decoding checks</h2>
 * The packet must be a bencoded dictionary within the {@link Bencode.Limits}, with a byte-string
 * transaction id {@code t} (at most {@value #MAX_TRANSACTION_ID} bytes) and a type {@code y}.
 * A query needs {@code q}, an argument dictionary {@code a} and a 20-byte {@code a.id}, plus its
 * method's arguments with the right types and lengths. A response needs a 20-byte {@code r.id};
 * {@code nodes} must be a whole number of 26-byte entries; {@code values} must be a list of byte
 * strings (6-byte IPv4 entries are kept, others skipped). An error needs {@code e = [code, message]}.
 * Anything else is a {@link KrpcException} saying what was wrong and whether it may be answered.
 */
public final class KrpcCodec {

    /** The longest transaction id accepted (mainline clients use 2 to 4 bytes). */
    public static final int MAX_TRANSACTION_ID = 32;

    private static final int PROTOCOL = ErrorMessage.PROTOCOL_ERROR;

    private KrpcCodec() {
    }

    // ---- encoding ----------------------------------------------------------------------------

    /**
     * @param message a message
     * @return the packet
     */
    public static byte[] encode(KrpcMessage message) {
        return Bencode.encode(toBencoded(message));
    }

    /**
     * @param message a message
     * @return the message as a bencoded dictionary
     */
    public static Bencoded.Dict toBencoded(KrpcMessage message) {
        Bencoded.Dict.Builder top = Bencoded.Dict.builder().put("t", message.transactionId());
        switch (message) {
            case Query q -> {
                Bencoded.Dict.Builder a = Bencoded.Dict.builder().put("id", q.sender().bytes());
                switch (q.method()) {
                    case Ping p -> { }
                    case FindNode f -> a.put("target", f.target().bytes());
                    case GetPeers g -> a.put("info_hash", g.infoHash().bytes());
                    case AnnouncePeer ap -> {
                        a.put("info_hash", ap.infoHash().bytes());
                        a.put("port", ap.port());
                        a.put("token", ap.token());
                        if (ap.impliedPort() != null) {
                            a.put("implied_port", ap.impliedPort() ? 1 : 0);
                        }
                    }
                }
                top.put("y", "q").put("q", q.method().wireName()).put("a", a.build());
                if (q.readOnly()) {
                    top.put("ro", 1);
                }
            }
            case Response r -> {
                Bencoded.Dict.Builder body = Bencoded.Dict.builder().put("id", r.sender().bytes());
                if (r.nodes() != null) {
                    body.put("nodes", NodeInfo.toCompact(r.nodes()));
                }
                body.put("token", r.token());
                if (r.values() != null) {
                    List<Bencoded> values = new ArrayList<>(r.values().size());
                    for (InetSocketAddress v : r.values()) {
                        values.add(new Bencoded.Bytes(CompactPeer.encode(v)));
                    }
                    body.put("values", new Bencoded.Items(values));
                }
                top.put("y", "r").put("r", body.build());
            }
            case ErrorMessage e -> top.put("y", "e").put("e",
                    new Bencoded.Items(List.of(new Bencoded.Int(e.code()), Bencoded.Bytes.of(e.message()))));
        }
        return top.build();
    }

    // ---- decoding ----------------------------------------------------------------------------

    /**
     * @param packet a whole packet
     * @param limits the bencode limits
     * @return the message
     * @throws KrpcException if it is not a valid KRPC message
     */
    public static KrpcMessage decode(byte[] packet, Bencode.Limits limits) throws KrpcException {
        return decode(packet, 0, packet.length, limits);
    }

    /**
     * @param buffer a buffer holding the packet
     * @param offset where the packet starts
     * @param length its length
     * @param limits the bencode limits
     * @return the message (it holds no reference to the buffer)
     * @throws KrpcException if it is not a valid KRPC message
     */
    public static KrpcMessage decode(byte[] buffer, int offset, int length, Bencode.Limits limits)
            throws KrpcException {
        Bencoded root;
        try {
            root = Bencode.decode(buffer, offset, length, limits);
        } catch (BencodeException e) {
            throw new KrpcException("not valid bencode: " + e.getMessage(), PROTOCOL, null, false);
        }
        if (!(root instanceof Bencoded.Dict top)) {
            throw new KrpcException("not a dictionary", PROTOCOL, null, false);
        }
        byte[] t = transactionId(top);
        Bencoded y = top.get("y");
        String type = y instanceof Bencoded.Bytes b ? b.text() : null;
        if ("q".equals(type)) {
            return query(top, t);
        } else if ("r".equals(type)) {
            return response(top, t);
        } else if ("e".equals(type)) {
            return error(top, t);
        }
        throw new KrpcException(y == null ? "missing required `y` field" : "`y` must be \"q\", \"r\" or \"e\"",
                PROTOCOL, t, true);
    }

    private static byte[] transactionId(Bencoded.Dict top) throws KrpcException {
        Bencoded t = top.get("t");
        if (!(t instanceof Bencoded.Bytes b)) {
            throw new KrpcException(t == null ? "missing transaction id `t`" : "transaction id `t` is not a string",
                    PROTOCOL, null, false);
        }
        if (b.value().length > MAX_TRANSACTION_ID) {
            throw new KrpcException("transaction id of " + b.value().length + " bytes is longer than "
                    + MAX_TRANSACTION_ID, PROTOCOL, null, false);
        }
        return b.value();
    }

    private static Query query(Bencoded.Dict top, byte[] t) throws KrpcException {
        if (!(top.get("q") instanceof Bencoded.Bytes qb)) {
            throw new KrpcException("missing required `q` field", PROTOCOL, t, true);
        }
        String name = qb.text();
        if (!(top.get("a") instanceof Bencoded.Dict a)) {
            throw new KrpcException("`" + name + "` missing required `a` field", PROTOCOL, t, true);
        }
        DhtId sender = id(a, "id", name, t, true);
        Method method = switch (name) {
            case "ping" -> new Ping();
            case "find_node" -> new FindNode(id(a, "target", name, t, true));
            case "get_peers" -> new GetPeers(id(a, "info_hash", name, t, true));
            case "announce_peer" -> {
                DhtId infoHash = id(a, "info_hash", name, t, true);
                long port = integer(a, "port", name, t, true);
                if (port < 0 || port > 65535) {
                    throw new KrpcException("`announce_peer` port " + port + " is out of range", PROTOCOL, t, true);
                }
                if (!(a.get("token") instanceof Bencoded.Bytes token)) {
                    throw new KrpcException("`announce_peer` missing required `a.token` field", PROTOCOL, t, true);
                }
                Boolean implied = null;
                if (a.get("implied_port") != null) {
                    implied = integer(a, "implied_port", name, t, true) != 0; // BEP 5: "present and non-zero"
                }
                yield new AnnouncePeer(infoHash, (int) port, token.value(), implied);
            }
            default -> throw new KrpcException("Method Unknown", ErrorMessage.METHOD_UNKNOWN, t, true);
        };
        boolean readOnly = top.get("ro") instanceof Bencoded.Int ro && ro.value() == 1;
        return new Query(t, sender, method, readOnly);
    }

    private static Response response(Bencoded.Dict top, byte[] t) throws KrpcException {
        if (!(top.get("r") instanceof Bencoded.Dict r)) {
            throw new KrpcException("response missing required `r` field", PROTOCOL, t, false);
        }
        DhtId sender = id(r, "id", "response", t, false);
        List<NodeInfo> nodes = null;
        Bencoded n = r.get("nodes");
        if (n != null) {
            if (!(n instanceof Bencoded.Bytes nb) || nb.value().length % NodeInfo.COMPACT_LENGTH != 0) {
                throw new KrpcException("response `nodes` is not a string of 26-byte entries", PROTOCOL, t, false);
            }
            nodes = NodeInfo.fromCompact(nb.value());
        }
        byte[] token = null;
        Bencoded tk = r.get("token");
        if (tk != null) {
            if (!(tk instanceof Bencoded.Bytes tb)) {
                throw new KrpcException("response `token` is not a string", PROTOCOL, t, false);
            }
            token = tb.value();
        }
        List<InetSocketAddress> values = null;
        Bencoded v = r.get("values");
        if (v != null) {
            if (!(v instanceof Bencoded.Items items)) {
                throw new KrpcException("response `values` is not a list", PROTOCOL, t, false);
            }
            values = new ArrayList<>(items.items().size());
            for (Bencoded item : items.items()) {
                if (!(item instanceof Bencoded.Bytes peer)) {
                    throw new KrpcException("response `values` holds a non-string", PROTOCOL, t, false);
                }
                InetSocketAddress address = CompactPeer.decode(peer.value());
                if (address != null) {
                    values.add(address);
                }
            }
        }
        return new Response(t, sender, nodes, token, values);
    }

    private static ErrorMessage error(Bencoded.Dict top, byte[] t) throws KrpcException {
        if (!(top.get("e") instanceof Bencoded.Items e) || e.items().isEmpty()
                || !(e.items().get(0) instanceof Bencoded.Int code)) {
            throw new KrpcException("error without `e = [code, message]`", PROTOCOL, t, false);
        }
        String message = e.items().size() > 1 && e.items().get(1) instanceof Bencoded.Bytes m ? m.text() : "";
        if (code.value() < Integer.MIN_VALUE || code.value() > Integer.MAX_VALUE) {
            throw new KrpcException("error code out of range", PROTOCOL, t, false);
        }
        return new ErrorMessage(t, (int) code.value(), message);
    }

    private static DhtId id(Bencoded.Dict d, String key, String method, byte[] t, boolean answerable)
            throws KrpcException {
        Bencoded v = d.get(key);
        if (v == null) {
            throw new KrpcException("`" + method + "` missing required `" + (method.equals("response") ? "r." : "a.")
                    + key + "` field", PROTOCOL, t, answerable);
        }
        if (!(v instanceof Bencoded.Bytes b) || b.value().length != DhtId.LENGTH) {
            throw new KrpcException("`" + method + "` field `" + key + "` must be a 20-byte string", PROTOCOL, t,
                    answerable);
        }
        return DhtId.wrap(b.value());
    }

    private static long integer(Bencoded.Dict d, String key, String method, byte[] t, boolean answerable)
            throws KrpcException {
        Bencoded v = d.get(key);
        if (!(v instanceof Bencoded.Int i)) {
            throw new KrpcException("`" + method + "` " + (v == null ? "missing required `a." + key + "` field"
                    : "field `" + key + "` must be an integer"), PROTOCOL, t, answerable);
        }
        return i.value();
    }
}
