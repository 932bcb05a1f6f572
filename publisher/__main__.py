from publisher.cli import main

# Guarded: query worker processes are spawned and re-import the main module.
if __name__ == "__main__":
    main()
