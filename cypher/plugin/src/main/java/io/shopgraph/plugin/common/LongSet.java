package io.shopgraph.plugin.common;

import java.util.Arrays;
import java.util.function.LongConsumer;

/**
 * A set of {@code long}s without boxing (open addressing, linear probing, backward-shift
 * deletion), that also keeps its members in insertion order for iteration. Not thread-safe.
 */
public final class LongSet {
    private static final long EMPTY = Long.MIN_VALUE;

    private long[] table;
    private int mask;
    private long[] members = new long[16]; // insertion order; removed ones are EMPTY
    private int memberCount;
    private int size;

    public LongSet(int expected) {
        int capacity = Integer.highestOneBit(Math.max(8, expected) * 2 - 1) << 1;
        table = new long[capacity];
        Arrays.fill(table, EMPTY);
        mask = capacity - 1;
    }

    /** A set of these values. */
    public static LongSet of(long... values) {
        LongSet set = new LongSet(values.length);
        for (long value : values) {
            set.add(value);
        }
        return set;
    }

    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    public boolean contains(long value) {
        int slot = slot(value);
        while (table[slot] != EMPTY) {
            if (table[slot] == value) {
                return true;
            }
            slot = (slot + 1) & mask;
        }
        return false;
    }

    /** Adds {@code value} ({@link Long#MIN_VALUE} is not allowed); whether it was new. */
    public boolean add(long value) {
        if (value == EMPTY) {
            throw new IllegalArgumentException("LongSet cannot hold " + EMPTY + ".");
        }
        if (2 * (size + 1) > table.length) {
            grow();
        }
        int slot = slot(value);
        while (table[slot] != EMPTY) {
            if (table[slot] == value) {
                return false;
            }
            slot = (slot + 1) & mask;
        }
        table[slot] = value;
        size++;
        if (memberCount == members.length) {
            compactMembers(Math.max(16, members.length * 2));
        }
        members[memberCount++] = value;
        return true;
    }

    /** Adds every member of {@code other}. */
    public void addAll(LongSet other) {
        other.forEach(this::add);
    }

    /** Removes {@code value}; whether it was there. */
    public boolean remove(long value) {
        int slot = slot(value);
        while (table[slot] != EMPTY) {
            if (table[slot] == value) {
                deleteAt(slot);
                size--;
                for (int n = memberCount - 1; n >= 0; n--) {
                    if (members[n] == value) {
                        members[n] = EMPTY;
                        break;
                    }
                }
                if (size * 2 < memberCount && memberCount > 16) {
                    compactMembers(members.length);
                }
                return true;
            }
            slot = (slot + 1) & mask;
        }
        return false;
    }

    /** Calls {@code action} for each member, in insertion order. */
    public void forEach(LongConsumer action) {
        for (int n = 0; n < memberCount; n++) {
            if (members[n] != EMPTY) {
                action.accept(members[n]);
            }
        }
    }

    /** The members, in insertion order. */
    public long[] toArray() {
        long[] out = new long[size];
        int[] next = {0};
        forEach(value -> out[next[0]++] = value);
        return out;
    }

    /** A copy that shares nothing with this set. */
    public LongSet copy() {
        LongSet copy = new LongSet(size);
        forEach(copy::add);
        return copy;
    }

    private void deleteAt(int slot) {
        // Backward-shift: keeps every probe sequence unbroken without tombstones.
        int hole = slot;
        int next = (hole + 1) & mask;
        while (table[next] != EMPTY) {
            int home = slot(table[next]);
            boolean movable = hole <= next ? home <= hole || home > next : home <= hole && home > next;
            if (movable) {
                table[hole] = table[next];
                hole = next;
            }
            next = (next + 1) & mask;
        }
        table[hole] = EMPTY;
    }

    private void compactMembers(int length) {
        long[] kept = new long[Math.max(length, size + 1)];
        int count = 0;
        for (int n = 0; n < memberCount; n++) {
            if (members[n] != EMPTY) {
                kept[count++] = members[n];
            }
        }
        members = kept;
        memberCount = count;
    }

    private int slot(long value) {
        long h = value * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }

    private void grow() {
        long[] old = table;
        table = new long[old.length * 2];
        Arrays.fill(table, EMPTY);
        mask = table.length - 1;
        for (long value : old) {
            if (value != EMPTY) {
                int slot = slot(value);
                while (table[slot] != EMPTY) {
                    slot = (slot + 1) & mask;
                }
                table[slot] = value;
            }
        }
    }
}
