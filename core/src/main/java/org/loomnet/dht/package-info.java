/**
 * A Kademlia distributed hash table over UDP that speaks BitTorrent's mainline DHT (BEP 5): the
 * public entry point is {@link org.loomnet.dht.DhtNode}, configured by
 * {@link org.loomnet.dht.DhtConfig}.
 *
 * <h2>Layers, bottom up</h2>
 * <ul>
 *   <li>{@link org.loomnet.dht.Bencode} and {@link org.loomnet.dht.Bencoded}: the bencode codec,
 *       strict and bounded, for packets from anyone.</li>
 *   <li>{@link org.loomnet.dht.KrpcMessage} and {@link org.loomnet.dht.KrpcCodec}: the KRPC
 *       queries, responses and errors as a sealed interface of records.</li>
 *   <li>{@code RoutingTable} and {@code KBucket}: the buckets, pure data with time passed in;
 *       {@code Lookup}: one iterative lookup as a state machine; {@code TokenSecrets},
 *       {@code PeerStore}, {@code QueryRateLimiter}: the same style.</li>
 *   <li>{@code DhtReceiver} (thread {@code dht-receiver}) and {@code DhtProcessing} (thread
 *       {@code dht-processing}, the one owner of all the state above), joined by one bounded queue
 *       of {@code DhtCommand}s.</li>
 * </ul>
 *
 * <p>IPv4 only. Package-private classes are documented for maintainers; the public ones are the
 * application's API.
 */
package org.loomnet.dht;
