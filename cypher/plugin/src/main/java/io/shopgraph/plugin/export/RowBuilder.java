package io.shopgraph.plugin.export;

import io.shopgraph.plugin.common.ConfigReader;
import java.util.ArrayList;
import java.util.List;

/** Packs users' edges into {@link ExportRow}s of a given number of users. */
public final class RowBuilder {

    private final int usersPerRow;
    private List<String> users = new ArrayList<>();
    private List<Long> counts = new ArrayList<>();
    private List<Long> items = new ArrayList<>();
    private List<Double> weights = new ArrayList<>();

    /**
     * A builder of rows.
     *
     * @param usersPerRow users per row, 1 to {@value ExportConfig#MAX_USERS_PER_ROW}
     */
    public RowBuilder(int usersPerRow) {
        ConfigReader.checkInteger("usersPerRow", usersPerRow, 1, ExportConfig.MAX_USERS_PER_ROW);
        this.usersPerRow = usersPerRow;
    }

    /**
     * Adds a user with the edges summed in {@code interactions} (which it drains); a user whose
     * edges all weigh 0 is left out.
     *
     * @param userId the user's business id
     * @param interactions the user's summed interactions
     */
    public void add(String userId, UserInteractions interactions) {
        int edges = interactions.drainTo((item, weight) -> {
            items.add((long) item);
            weights.add(weight);
        });
        if (edges > 0) {
            users.add(userId);
            counts.add((long) edges);
        }
    }

    /** Whether the next row is complete. */
    public boolean full() {
        return users.size() >= usersPerRow;
    }

    /** Whether no user waits for a row. */
    public boolean isEmpty() {
        return users.isEmpty();
    }

    /**
     * The row of the users added since the last call.
     *
     * @param newItems ids of the items that no earlier row named
     * @return the row
     */
    public ExportRow build(List<String> newItems) {
        ExportRow row = new ExportRow(users, counts, items, weights, newItems);
        users = new ArrayList<>();
        counts = new ArrayList<>();
        items = new ArrayList<>();
        weights = new ArrayList<>();
        return row;
    }
}
