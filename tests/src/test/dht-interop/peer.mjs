// A bittorrent-dht node driven by BittorrentDhtInteropIT over stdin/stdout, to test LoomNet's DHT
// against another BEP 5 implementation.
//
// Start: `node peer.mjs` (in this directory, after `npm ci`). The node binds 127.0.0.1 on an
// ephemeral port, with `bootstrap: false` so it never contacts the public DHT: it knows only the
// nodes the test gives it with `addNode`, and those are all on loopback.
//
// Protocol, one JSON object a line:
//   stdout, first line: {"event":"ready","port":N,"id":"<40 hex>"}
//   stdin, commands:    {"n":1,"cmd":"ping","host":"127.0.0.1","port":N}
//   stdout, one reply per command, with the command's "n": {"n":1,"ok":true,...} or
//                       {"n":1,"ok":false,"error":"..."}
// Commands:
//   addNode   {host,port}           dht.addNode: pings it and adds it to the routing table
//   ping      {host,port}           a raw KRPC ping   -> {id, from}
//   find_node {host,port,target}    a raw KRPC find_node -> {id, from, nodes: [{id,host,port}]}
//   lookup    {infoHash}            dht.lookup (iterative get_peers) -> {visited, peers: [{host,port,from}]}
//                                   where from is "host:port" of the node whose `values` named the
//                                   peer, or null for the node's own peer store
//   announce  {infoHash,port}       dht.announce (lookup, then announce_peer to the closest) -> {hits}
//   store     {infoHash,host,port}  puts a peer in this node's own peer store, as an accepted
//                                   announce_peer would, so that only this node can return it
//   table                           its routing table -> {nodes: [{id,host,port}]}
//   quit                            destroys the node and exits 0 (so does the end of stdin)
//
// stderr: one JSON line per KRPC query received, {"event":"query","q":"ping","from":"h:p","id":"hex",
// and target, infoHash, port, impliedPort when the query has them},
// and per announce stored, warnings and errors, so that the test can check what reached this node
// (and show the log when a check fails).
//
// Raw queries go through the DHT's own k-rpc instance (dht._rpc, k-rpc 5): the same socket, node
// id and transaction handling as the node's own traffic. `_rpc` and `_addPeer` are internals of
// bittorrent-dht, which is why package.json pins its exact version.

import DHT from 'bittorrent-dht'
import readline from 'node:readline'

const ID_LENGTH = 20
const COMPACT_NODE_LENGTH = ID_LENGTH + 6 // BEP 5 compact node info: id, IPv4, port

// Short query timeout: the nodes are on loopback and answer in milliseconds, and a lookup that
// meets a dead node should not hold the test for the default 2 s.
const dht = new DHT({ bootstrap: false, timeout: 1000 })

function out (obj) {
  process.stdout.write(JSON.stringify(obj) + '\n')
}

function log (obj) {
  process.stderr.write(JSON.stringify(obj) + '\n')
}

const hex = (buf) => Buffer.from(buf).toString('hex')
const addr = (peer) => peer ? `${peer.address || peer.host}:${peer.port}` : null

// This node talks to loopback only, whatever it is asked (the tests' rule: never another address).
function loopback (host, port) {
  if (typeof host !== 'string' || !/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)) {
    throw new Error(`not a loopback IPv4 address: ${host}`)
  }
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`bad port: ${port}`)
  return { host, port }
}

function infoHash (s) {
  if (typeof s !== 'string' || !/^[0-9a-fA-F]{40}$/.test(s)) throw new Error(`not 40 hex digits: ${s}`)
  return Buffer.from(s, 'hex')
}

function parseNodes (buf) {
  if (!buf) return []
  if (buf.length % COMPACT_NODE_LENGTH !== 0) {
    throw new Error(`"nodes" of ${buf.length} bytes is not a multiple of ${COMPACT_NODE_LENGTH}`)
  }
  const nodes = []
  for (let i = 0; i < buf.length; i += COMPACT_NODE_LENGTH) {
    const ip = buf.subarray(i + ID_LENGTH, i + ID_LENGTH + 4).join('.')
    nodes.push({ id: hex(buf.subarray(i, i + ID_LENGTH)), host: ip, port: buf.readUInt16BE(i + ID_LENGTH + 4) })
  }
  return nodes
}

// A raw KRPC query; k-rpc fills in a.id with our node id and matches the reply by transaction id
// and source address.
function query (node, q, a) {
  return new Promise((resolve, reject) => {
    dht._rpc.query(node, { q, a }, (err, res, from) => {
      if (err) {
        reject(new Error(`${q} to ${node.host}:${node.port}: ${err.message}` +
          (res && res.e ? ` (KRPC error ${JSON.stringify(res.e.map(String))})` : '')))
      } else if (!res.r || !Buffer.isBuffer(res.r.id) || res.r.id.length !== ID_LENGTH) {
        reject(new Error(`${q} to ${node.host}:${node.port}: reply without a 20-byte r.id`))
      } else {
        resolve({ r: res.r, from: addr(from) })
      }
    })
  })
}

const commands = {
  async addNode ({ host, port }) {
    dht.addNode(loopback(host, port)) // pings it, adds it when it answers
    return {}
  },

  async ping ({ host, port }) {
    const { r, from } = await query(loopback(host, port), 'ping', {})
    return { id: hex(r.id), from }
  },

  async find_node ({ host, port, target }) {
    const { r, from } = await query(loopback(host, port), 'find_node', { target: infoHash(target) })
    return { id: hex(r.id), from, nodes: parseNodes(r.nodes) }
  },

  lookup ({ infoHash: ih }) {
    const key = infoHash(ih)
    return new Promise((resolve, reject) => {
      const peers = []
      // 'peer' is emitted for every lookup: keep only this info-hash's.
      const onPeer = (peer, hash, from) => {
        if (key.equals(hash)) peers.push({ host: peer.host, port: peer.port, from: addr(from) })
      }
      dht.on('peer', onPeer)
      dht.lookup(key, (err, visited) => {
        dht.removeListener('peer', onPeer)
        if (err) reject(err)
        else resolve({ visited, peers })
      })
    })
  },

  announce ({ infoHash: ih, port }) {
    const key = infoHash(ih)
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`bad port: ${port}`)
    return new Promise((resolve, reject) => {
      dht.announce(key, port, (err, hits) => err ? reject(err) : resolve({ hits }))
    })
  },

  async store ({ infoHash: ih, host, port }) {
    const peer = loopback(host, port)
    dht._addPeer(peer, infoHash(ih), peer) // what _onannouncepeer does with a valid token
    return {}
  },

  async table () {
    return {
      nodes: dht._rpc.nodes.toArray().map(n => ({ id: hex(n.id), host: n.host || n.address, port: n.port }))
    }
  },

  quit () {
    dht.destroy(() => process.exit(0))
    return new Promise(() => {}) // no reply: the process ends
  }
}

// Every query that reaches this node, logged before the DHT handles it (prepended to its own
// listener), so that the log reads in order: the query, then what it caused.
dht._rpc.prependListener('query', (q, from) => {
  const a = q.a || {}
  log({
    event: 'query',
    q: q.q ? q.q.toString() : null,
    from: addr(from),
    id: Buffer.isBuffer(a.id) ? hex(a.id) : null,
    target: Buffer.isBuffer(a.target) ? hex(a.target) : undefined,
    infoHash: Buffer.isBuffer(a.info_hash) ? hex(a.info_hash) : undefined,
    port: typeof a.port === 'number' ? a.port : undefined,
    impliedPort: typeof a.implied_port === 'number' ? a.implied_port : undefined
  })
})
dht.on('announce', (peer, hash, from) => {
  log({ event: 'announced', infoHash: hex(hash), peer: addr(peer), from: addr(from) })
})
dht.on('warning', err => log({ event: 'warning', message: String(err && err.message) }))
dht.on('error', err => {
  log({ event: 'error', message: String(err && err.message) })
  process.exit(1)
})

dht.listen(0, '127.0.0.1', () => {
  out({ event: 'ready', port: dht.address().port, id: hex(dht.nodeId) })

  const lines = readline.createInterface({ input: process.stdin })
  lines.on('line', async line => {
    let msg
    try {
      msg = JSON.parse(line)
    } catch (e) {
      out({ ok: false, error: `not JSON: ${line}` })
      return
    }
    const handler = Object.hasOwn(commands, msg.cmd) ? commands[msg.cmd] : null
    if (!handler) {
      out({ n: msg.n, ok: false, error: `unknown command: ${msg.cmd}` })
      return
    }
    try {
      out({ n: msg.n, ok: true, ...(await handler(msg)) })
    } catch (e) {
      out({ n: msg.n, ok: false, error: String(e && e.message) })
    }
  })
  // The test closed our stdin, or died: do not outlive it.
  lines.on('close', () => dht.destroy(() => process.exit(0)))
})
