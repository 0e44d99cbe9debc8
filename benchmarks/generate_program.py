#!/usr/bin/env python3
"""Generates a realistic program for `upward match`: a people export with a deep reporting
tree, and enrollments for N mentees (senior) and N mentors (junior).

    python3 benchmarks/generate_program.py --mentees 5000 --mentors 5000 --out /tmp/program
"""
import argparse
import csv
import os
import random

SKILLS = ["AI tools", "social media", "collaboration tools", "data literacy", "TikTok", "Gen Z workstyles",
          "diversity and inclusion", "workplace culture", "mobile apps", "automation", "video editing",
          "personal branding", "leadership", "strategy", "public speaking", "negotiation", "finance basics",
          "stakeholder management"]
JUNIOR_TEACHES = SKILLS[:12]
SENIOR_TEACHES = SKILLS[12:]
INTERESTS = ["hiking", "chess", "gaming", "podcasts", "cooking", "running", "photography", "music", "travel",
             "climbing", "reading", "film", "yoga", "football", "gardening", "startups", "art", "cycling"]
STYLES = ["direct", "reflective", "structured", "casual"]
ZONES = ["Europe/Berlin", "Europe/London", "America/New_York", "America/Chicago", "America/Los_Angeles",
         "Asia/Singapore", "Asia/Tokyo", "Australia/Sydney"]
DEPARTMENTS = [("Engineering", "Technology"), ("Product", "Technology"), ("Data", "Technology"), ("Marketing", "Commercial"),
               ("Sales", "Commercial"), ("Finance", "Corporate"), ("People", "Corporate"), ("Legal", "Corporate")]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--mentees", type=int, default=5000)
    parser.add_argument("--mentors", type=int, default=5000)
    parser.add_argument("--out", required=True)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    os.makedirs(args.out, exist_ok=True)

    # An organization where seniors and juniors are both plentiful: levels are drawn first,
    # then everyone reports to someone more senior, chosen among the most recently added,
    # so reporting chains run many levels deep.
    people = []

    def add(level, manager, dept):
        pid = f"P{len(people) + 1:06d}"
        gen = "Gen Z" if level <= 3 else "Millennial" if level <= 7 else rng.choice(["Gen X", "Gen X", "Boomer", "Millennial"])
        people.append({"employee_id": pid, "email": f"{pid.lower()}@example.com", "name": f"Person {pid}",
                       "department": dept[0], "business_unit": dept[1], "time_zone": rng.choice(ZONES),
                       "manager_id": manager or "", "level": level, "generation": gen})
        return pid

    need = args.mentees + args.mentors
    total = int(need * 1.5)
    levels = sorted((rng.choice([1, 2, 3, 4, 5]) if rng.random() < 0.55 else rng.choice(range(6, 15)) for _ in range(total - 1)), reverse=True)
    ceo = add(15, None, ("Executive", "Corporate"))
    by_level = {15: [ceo]}
    for level in levels:
        above = [l for l in by_level if l > level]
        manager_level = min(above) if rng.random() < 0.7 else rng.choice(above)
        pool = by_level[manager_level]
        manager = pool[-1 - rng.randrange(min(len(pool), 50))]
        by_level.setdefault(level, []).append(add(level, manager, rng.choice(DEPARTMENTS)))
    seniors = [p for p in people if p["level"] >= 7]
    juniors = [p for p in people if p["level"] <= 5]
    rng.shuffle(seniors)
    rng.shuffle(juniors)
    mentees, mentors = seniors[:args.mentees], juniors[:args.mentors]

    with open(os.path.join(args.out, "people.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["employee_id", "email", "name", "department", "business_unit", "time_zone",
                                          "manager_id", "level", "generation"])
        w.writeheader()
        w.writerows(people)

    def row(person, role):
        teaches = JUNIOR_TEACHES if role == "mentor" else SENIOR_TEACHES
        learns = SENIOR_TEACHES if role == "mentor" else JUNIOR_TEACHES
        offers = "; ".join(f"{s}:{rng.randint(2, 5)}" for s in rng.sample(teaches, rng.randint(2, 4)))
        wants = []
        for s in rng.sample(learns, rng.randint(1, 3)):
            cur = rng.randint(0, 3)
            wants.append(f"{s}:{cur}>{rng.randint(cur + 1, 5)}")
        return {"email": person["email"], "role": role, "offers": offers, "wants": "; ".join(wants),
                "interests": "; ".join(rng.sample(INTERESTS, rng.randint(1, 4))), "style": rng.choice(STYLES),
                "capacity": rng.choice([1, 1, 1, 2]) if role == "mentor" else "", "avoid": ""}

    with open(os.path.join(args.out, "enrollments.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["email", "role", "offers", "wants", "interests", "style", "capacity", "avoid"])
        w.writeheader()
        for p in mentees:
            w.writerow(row(p, "mentee"))
        for p in mentors:
            w.writerow(row(p, "mentor"))
    print(f"{len(people)} people, {len(mentees)} mentees, {len(mentors)} mentors in {args.out}")


if __name__ == "__main__":
    main()
