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
    private final Map<String, List<Mailbox<Message>>> byType = new ConcurrentHashMap<>();
    private final List<Mailbox<NodeEvent>> eventListeners = new CopyOnWriteArrayList<>();

    Subscribers(int capacity) {
        this.capacity = capacity;
    }

    Subscription subscribe(String type, Consumer<? super Message> handler) {
        List<Mailbox<Message>> list = byType.computeIfAbsent(type, t -> new CopyOnWriteArrayList<>());
        Mailbox<Message> box = new Mailbox<>("subscriber-" + type, capacity, handler, list::remove);
        list.add(box);
        return box;
    }

    Subscription onEvent(Consumer<? super NodeEvent> handler) {
        Mailbox<NodeEvent> box = new Mailbox<>("events", capacity, handler, eventListeners::remove);
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
    }

    /** Called by the processing thread; never blocks. */
    void event(NodeEvent e) {
        for (Mailbox<NodeEvent> box : eventListeners) {
            box.offer(e);
        }
    }

    void closeAll() {
        for (List<Mailbox<Message>> list : byType.values()) {
            for (Mailbox<Message> box : list) {
                box.close();
            }
        }
        for (Mailbox<NodeEvent> box : eventListeners) {
            box.close();
        }
    }
}
