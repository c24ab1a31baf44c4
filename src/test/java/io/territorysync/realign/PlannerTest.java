package io.territorysync.realign;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Hand-built models whose best plan is known, and random tiny models where the solver must find
 * what the exhaustive search finds.
 */
class PlannerTest {

  static final Duration LIMIT = Duration.ofSeconds(20);

  /** The solver, stopped by steps without improvement rather than by time (machine-independent). */
  static int[] solve(RealignModel m) {
    return new SolverPlanner(true, 1, 200).plan(m, LIMIT, Planner.Progress.NONE);
  }

  @Test
  void movesTheUnitThatBringsBothTerritoriesIntoTolerance() {
    // A holds 30 accounts in three units, B 10: one unit of 10 must go to B (20/20)
    RealignModel m =
        new ModelBuilder()
            .group("P", "A", "B")
            .unit("a1", "A", 10)
            .unit("a2", "A", 10)
            .unit("a3", "A", 10)
            .unit("b1", "B", 10)
            .build();
    int[] plan = solve(m);
    PlanScore s = Planner.score(m, plan);
    assertEquals(0, s.hard());
    assertEquals(0, s.outside());
    assertEquals(10, s.accountsMoved(), "exactly one unit of 10 moves");
    assertEquals(1, Arrays.stream(plan).limit(3).filter(t -> t == 1).count());
    assertEquals(1, plan[3]);
  }

  @Test
  void prefersTheSmallestMoveThatReachesTolerance() {
    // 26 vs 14: moving the 6 gives 20/20 (moved 6); moving the 10 gives 16/24 (outside at ±10%)
    RealignModel m =
        new ModelBuilder()
            .group("P", "A", "B")
            .unit("big", "A", 10)
            .unit("small", "A", 6)
            .unit("rest", "A", 10)
            .unit("b", "B", 14)
            .build();
    int[] plan = solve(m);
    assertArrayEquals(new int[] {0, 1, 0, 1}, plan);
  }

  @Test
  void aPinnedUnitNeverMoves() {
    // moving the pinned 30 would balance best; it stays, the 1 moves instead
    RealignModel m =
        new ModelBuilder()
            .group("P", "A", "B")
            .unit("pinned", "A", 30, true)
            .unit("a", "A", 1)
            .unit("b", "B", 1)
            .build();
    int[] plan = solve(m);
    assertEquals(0, plan[0]);
    assertEquals(Planner.score(m, ReferencePlanner.optimum(m)), Planner.score(m, plan));
  }

  @Test
  void accountsThatStayCountWhereTheyAre() {
    // A: 20 fixed (pinned, excluded or manual) + units of 10 and 1; B: a unit of 9. Balancing
    // means the 10 goes to B (A 21, B 19); without the fixed 20, A would take B's unit instead
    RealignModel m =
        new ModelBuilder()
            .group("P", "A", "B")
            .fixed("A", 20)
            .unit("a", "A", 10)
            .unit("a2", "A", 1)
            .unit("b", "B", 9)
            .build();
    assertArrayEquals(new int[] {1, 0, 1}, solve(m));
  }

  @Test
  void anImpossibleToleranceLeavesTheBestPlanAndSaysWhy() {
    // one unit of 100 against one of 1: no plan is within ±10%; moving would empty a territory
    RealignModel m =
        new ModelBuilder().group("P", "A", "B").unit("a", "A", 100).unit("b", "B", 1).build();
    int[] plan = solve(m);
    assertArrayEquals(new int[] {0, 1}, plan);
    PlanScore s = Planner.score(m, plan);
    assertEquals(0, s.hard());
    assertEquals(2, s.outside());
    Diagnosis d = Diagnosis.of(m, plan);
    assertFalse(d.withinTolerance());
    String why = String.join("\n", d.reasons());
    assertTrue(why.contains("A") && why.contains("smallest unit"), why);
  }

  @Test
  void contiguityMovesOnlyUnitsNextToTheReceivingTerritory() {
    // a chain u0-u1-u2-u3 | u4 (postal prefixes in order); A holds u0..u3, B holds u4.
    // Unconstrained, moving u0 (11) balances best; with contiguity only u3 (next to B's u4) may go
    RealignModel.Unit[] unused = null;
    ModelBuilder b =
        new ModelBuilder()
            .group("P", "A", "B")
            .unit("u0", "A", 11)
            .unit("u1", "A", 9)
            .unit("u2", "A", 9)
            .unit("u3", "A", 8)
            .unit("u4", "B", 9)
            .adjacent(0, 1)
            .adjacent(1, 2)
            .adjacent(2, 3)
            .adjacent(3, 4);
    int[] free = solve(b.build());
    assertEquals(1, free[0], "without contiguity the best move is u0");
    RealignModel m = b.contiguity().build();
    int[] plan = solve(m);
    assertEquals(0, Planner.score(m, plan).hard());
    assertEquals(0, plan[0]);
    assertEquals(1, plan[3], "u3 borders B");
    assertEquals(Planner.score(m, ReferencePlanner.optimum(m)), Planner.score(m, plan));
  }

  @Test
  void neverMovesMoreAccountsThanAllowed() {
    RealignModel m =
        new ModelBuilder()
            .group("P", "A", "B")
            .unit("a1", "A", 10)
            .unit("a2", "A", 10)
            .unit("a3", "A", 10)
            .unit("b1", "B", 10)
            .maxMoved(9)
            .build();
    int[] plan = solve(m);
    PlanScore s = Planner.score(m, plan);
    assertEquals(0, s.hard());
    assertEquals(0, s.accountsMoved());
    String why = String.join("\n", Diagnosis.of(m, plan).reasons());
    assertTrue(why.contains("max-moved"), why);
  }

  @Test
  void agreesWithTheExhaustiveSearchOnRandomTinyModels() {
    SplittableRandom r = new SplittableRandom(7);
    for (int round = 0; round < 15; round++) {
      ModelBuilder b = new ModelBuilder();
      int groups = 1 + r.nextInt(2);
      int units = 0;
      String[][] members = new String[groups][];
      for (int g = 0; g < groups; g++) {
        int size = 2 + r.nextInt(2);
        members[g] = new String[size];
        for (int i = 0; i < size; i++) {
          members[g][i] = "G" + g + "T" + i;
        }
        b.group("P" + g, members[g]);
        if (r.nextInt(4) == 0) {
          b.fixed(members[g][r.nextInt(size)], 1 + r.nextInt(20));
        }
      }
      int total = 4 + r.nextInt(4);
      for (int u = 0; u < total; u++) {
        int g = r.nextInt(groups);
        b.unit(
            "u" + u,
            members[g][r.nextInt(members[g].length)],
            1 + r.nextInt(30),
            r.nextInt(8) == 0);
        if (u > 0 && r.nextBoolean()) {
          b.adjacent(u - 1, u);
        }
        units++;
      }
      b.tolerance(0.05 + r.nextInt(4) * 0.05);
      if (r.nextInt(3) == 0) {
        b.contiguity();
      }
      if (r.nextInt(3) == 0) {
        b.maxMoved(r.nextInt(40));
      }
      RealignModel m = b.build();
      int[] exact = ReferencePlanner.optimum(m);
      int[] solved = new SolverPlanner(true, round, 200).plan(m, LIMIT, Planner.Progress.NONE);
      int[] greedy = new GreedyPlanner().plan(m, LIMIT, Planner.Progress.NONE);
      PlanScore best = ReferencePlanner.score(m, exact);
      assertEquals(
          best, ReferencePlanner.score(m, solved), "round " + round + " (" + units + " units)");
      assertEquals(
          Planner.score(m, solved),
          ReferencePlanner.score(m, solved),
          "incremental score, round " + round);
      assertFalse(ReferencePlanner.score(m, greedy).betterThan(best), "greedy beats the optimum?");
    }
  }
}
