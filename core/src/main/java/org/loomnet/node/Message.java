package org.loomnet.node;

/**
 * An application message as a subscriber receives it.
 *
 * @param from         the sending node
 * @param connectionId the connection it arrived on
 * @param type         the message type the sender chose
 * @param payload      the bytes; the subscriber may keep them (every subscriber gets the same array,
 *                     so do not modify it)
 */
public record Message(NodeId from, long connectionId, String type, byte[] payload) {

    @Override
    public String toString() {
        return "Message[" + type + " from " + from + ", " + payload.length + " bytes]";
    }
}
