/**
 * What a node knows about other peers: the {@link org.loomnet.peers.AddressBook} (where we heard
 * of each address, how it behaved, which to dial next, which to share, which are banned) and its
 * file, {@link org.loomnet.peers.AddressBookStore}.
 *
 * <p>The book is pure data with time passed in, owned by one thread (the node's processing
 * thread); the store does the disk I/O, on another thread, from an immutable
 * {@link org.loomnet.peers.AddressBookImage}. Node ids are lower-case hex strings here, so this
 * package does not depend on {@code org.loomnet.node}.
 *
 * <p>The placement design (NEW and TRIED tables of buckets, network groups, keyed hashing) follows
 * Bitcoin Core's addrman and CometBFT's address book; see {@link org.loomnet.peers.AddressBook}.
 */
package org.loomnet.peers;
