import argparse
from pathlib import Path

from ingestion.demo.generate import generate, is_current
from ingestion.settings import DEMO_SOURCES_DIR


def main() -> None:
    parser = argparse.ArgumentParser(description="Write the klimamonitor demo source files.")
    parser.add_argument("--out", type=Path, default=DEMO_SOURCES_DIR)
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument(
        "--if-missing",
        action="store_true",
        help="do nothing when the folder already holds data of this version of the generator",
    )
    args = parser.parse_args()
    if args.if_missing and is_current(args.out, args.seed):
        print(f"demo data already in {args.out}")
        return
    written = generate(args.out, seed=args.seed)
    print(f"demo data: {written} files written to {args.out}")


if __name__ == "__main__":
    main()
