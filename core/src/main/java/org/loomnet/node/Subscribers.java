package org.loomnet.node;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Who wants which messages. A thread-safe registry: the application adds and removes
 * subscribers from any thread, the processing thread reads it to deliver. Each subscriber is a
 * {@link Mailbox}: its own bounded queue and virtual thread.
 */
final class Subscribers {

    private final int capacity;
    private final long maxBytes;
    private final Map<String, List<Mailbox<Message>>> byType = new ConcurrentHashMap<>();
    private final List<Mailbox<Message>> everyType = new CopyOnWriteArrayList<>();
    private final List<Mailbox<NodeEvent>> eventListeners = new CopyOnWriteArrayList<>();

    Subscribers(int capacity, long maxBytes) {
        this.capacity = capacity;
        this.maxBytes = maxBytes;
    }

    Subscription subscribe(String type, Consumer<? super Message> handler) {
        List<Mailbox<Message>> list = byType.computeIfAbsent(type, t -> new CopyOnWriteArrayList<>());
        Mailbox<Message> box = new Mailbox<>("subscriber-" + type, capacity, maxBytes,
                m -> m.payload().length, handler, list::remove);
        list.add(box);
        return box;
    }

    Subscription subscribeAll(Consumer<? super Message> handler) {
        Mailbox<Message> box = new Mailbox<>("subscriber-all", capacity, maxBytes,
                m -> m.payload().length, handler, everyType::remove);
        everyType.add(box);
        return box;
    }

    Subscription onEvent(Consumer<? super NodeEvent> handler) {
        Mailbox<NodeEvent> box = new Mailbox<>("events", capacity, Long.MAX_VALUE, e -> 0, handler,
                eventListeners::remove);
        eventListeners.add(box);
        return box;
    }

    /** Called by the processing thread; never blocks. */
    void deliver(Message m) {
        List<Mailbox<Message>> list = byType.get(m.type());
        if (list != null) {
            for (Mailbox<Message> box : list) {
                box.offer(m);
            }
        }
        for (Mailbox<Message> box : everyType) {
            box.offer(m);
        }
    }

    /** Called by the processing thread; never blocks. */
    void event(NodeEvent e) {
        for (Mailbox<NodeEvent> box : eventListeners) {
            box.offer(e);
        }
    }

    /** Lets every subscriber hand over what is queued, for at most {@code timeout}, then stops it. */
    void closeAll(java.time.Duration timeout) {
        List<Mailbox<?>> boxes = new java.util.ArrayList<>(eventListeners);
        boxes.addAll(everyType);
        for (List<Mailbox<Message>> list : byType.values()) {
            boxes.addAll(list);
        }
        boxes.forEach(Mailbox::drainAndStop);
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Mailbox<?> box : boxes) {
            try {
                box.thread().join(java.time.Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        boxes.forEach(Mailbox::close);
    }
}
