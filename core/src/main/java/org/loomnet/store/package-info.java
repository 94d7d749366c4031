/** Files written so that a crash never leaves half of one. */
package org.loomnet.store;
