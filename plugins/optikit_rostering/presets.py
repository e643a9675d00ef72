"""``rules`` presets: parameter sets for labour-law limits, NOT legal advice.

Each preset is a set of contract limits that the parser applies to every employee as the
stricter of the preset and the employee's own contract.  They encode a planner's reading of
the headline numbers of a law; the user must confirm them against the law in force, the
collective agreement and the employer's own exemptions (docs/contract.md says the same).
"""

from __future__ import annotations

from typing import Any

PRESETS: dict[str, dict[str, Any]] = {
    # Labor Standards Act of the Republic of Korea: 40 h regular week (Art. 50) plus at most
    # 12 h of extended work by agreement (Art. 53) -> the "52-hour week" per calendar week;
    # at least one paid day off per week (Art. 55).
    "korea-lsa": {
        "title": "Korea Labor Standards Act: 52-hour week, a weekly day off",
        "limits": {"max_weekly_hours": 52, "min_days_off_per_week": 1},
    },
    # EU Working Time Directive 2003/88/EC: 11 consecutive hours of daily rest (Art. 3), a
    # weekly rest day (Art. 5; 24 h plus the daily 11 h, read here as one day off in every
    # calendar week), an average of at most 48 h per week (Art. 6) taken over the horizon
    # (the directive allows reference periods of up to 4 months, Art. 16).
    "eu-wtd": {
        "title": "EU Working Time Directive: 11 h daily rest, 48 h average week, weekly rest",
        "limits": {"min_rest_hours": 11, "max_average_weekly_hours": 48,
                   "min_days_off_per_week": 1},
    },
}
