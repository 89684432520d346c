package io.shopgraph.plugin.bundle;

import java.util.Arrays;

/**
 * A {@code long -> int} hash map without boxing (open addressing, linear probing); values are
 * dense slots chosen by the caller. {@link #get} answers -1 for an absent key.
 */
final class LongIntMap {
    private static final long EMPTY = Long.MIN_VALUE;

    private long[] keys;
    private int[] values;
    private int size;
    private int mask;

    LongIntMap(int expected) {
        int capacity = Integer.highestOneBit(Math.max(8, expected) * 2 - 1) << 1;
        keys = new long[capacity];
        Arrays.fill(keys, EMPTY);
        values = new int[capacity];
        mask = capacity - 1;
    }

    int size() {
        return size;
    }

    /** The value of {@code key}, or -1. */
    int get(long key) {
        int slot = slot(key);
        while (keys[slot] != EMPTY) {
            if (keys[slot] == key) {
                return values[slot];
            }
            slot = (slot + 1) & mask;
        }
        return -1;
    }

    /**
     * The value of {@code key}; if absent, sets it to {@code value} and answers {@code -1 - value}
     * (negative: the caller knows it is new). One probe instead of {@link #get} then {@link #put}.
     */
    int getOrPut(long key, int value) {
        if (key == EMPTY) {
            throw new IllegalArgumentException("LongIntMap cannot hold the key " + EMPTY + ".");
        }
        if (2 * (size + 1) > keys.length) {
            grow();
        }
        int slot = slot(key);
        while (keys[slot] != EMPTY) {
            if (keys[slot] == key) {
                return values[slot];
            }
            slot = (slot + 1) & mask;
        }
        keys[slot] = key;
        values[slot] = value;
        size++;
        return -1 - value;
    }

    /** Sets {@code key} to {@code value} ({@code key} must not be {@link Long#MIN_VALUE}). */
    void put(long key, int value) {
        if (key == EMPTY) {
            throw new IllegalArgumentException("LongIntMap cannot hold the key " + EMPTY + ".");
        }
        if (2 * (size + 1) > keys.length) {
            grow();
        }
        int slot = slot(key);
        while (keys[slot] != EMPTY && keys[slot] != key) {
            slot = (slot + 1) & mask;
        }
        if (keys[slot] == EMPTY) {
            size++;
        }
        keys[slot] = key;
        values[slot] = value;
    }

    /** Removes every key, keeping the capacity. */
    void clear() {
        if (size > 0) {
            Arrays.fill(keys, EMPTY);
            size = 0;
        }
    }

    private int slot(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }

    private void grow() {
        long[] oldKeys = keys;
        int[] oldValues = values;
        keys = new long[oldKeys.length * 2];
        Arrays.fill(keys, EMPTY);
        values = new int[oldKeys.length * 2];
        mask = keys.length - 1;
        size = 0;
        for (int n = 0; n < oldKeys.length; n++) {
            if (oldKeys[n] != EMPTY) {
                put(oldKeys[n], oldValues[n]);
            }
        }
    }
}
