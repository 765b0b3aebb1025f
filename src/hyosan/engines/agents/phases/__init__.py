"""The phases of one step of a building run, each a compiled function in its own module.

In the order `step.advance_building` calls them (the engine's docstring tells the rules):

1. census.py: who is where, per room;
2. turning.py: the bitten turn, or keep their minds;
3. hybrids.py: hunger, and a hybrid's attack;
4. zombies.py: zombies sense and choose;
5. barricades.py: built, pushed, broken, repaired;
6. people.py: room-wide plans (plans.py), then each person: needs (needs.py), awareness
   (awareness.py, which also decides when a room knows enough to barricade), and a
   move: fleeing or fighting (flight.py), holding, joining, through barricades (doors.py);
7. movement.py: along passages;
8. encounters.py: zombies catch, people hide, shove, rescue, fight, are bitten;
9. records.py: counts at output times, snapshots, the zombie peak and watched levels.

sounds.py and counts.py hold what several phases share: adding a sound, and a change of state.
"""
