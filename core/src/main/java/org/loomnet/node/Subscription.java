package org.loomnet.node;

/** A registered handler; close it to stop receiving. */
public interface Subscription extends AutoCloseable {

    /** @return items dropped because the handler fell behind and its queue was full */
    long dropped();

    /** @return items handed to the handler so far */
    long delivered();

    /** Stops the subscriber's thread; items still queued are discarded. */
    @Override
    void close();
}
