-- The run lock's epoch: incremented by every process that takes the run lock, so a run that lost
-- its lock (its database session ended) cannot record writes once another run holds it.
CREATE TABLE run_lock_epoch (
    id    INT PRIMARY KEY CHECK (id = 1),
    epoch BIGINT NOT NULL
);
INSERT INTO run_lock_epoch (id, epoch) VALUES (1, 0);
